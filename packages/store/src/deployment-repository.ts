// Deployments and their releases: a deployment row points at its current release number; a new release is
// inserted and the pointer moved in one transaction, only while the pointer still holds the expected number.
import type { Deployment, DeploymentRelease, DeploymentRepository } from "@ferry/core";
import { sql } from "kysely";
import type { Selectable } from "kysely";
import type { StoreContext } from "./context.js";
import { decodeCursor } from "./cursor.js";
import { pageSize, toSlice } from "./page.js";
import { dbBool } from "./rows.js";
import type { DeploymentReleasesTable, DeploymentsTable } from "./schema.js";

type ReleaseRow = Selectable<DeploymentReleasesTable>;
type DeploymentRow = Selectable<DeploymentsTable> & Omit<ReleaseRow, "deployment_id" | "created_at"> & { release_created_at: string };

const RELEASE_COLUMNS = [
  "r.number",
  "r.model_id",
  "r.model",
  "r.version_id",
  "r.hardware",
  "r.min_instances",
  "r.max_instances",
  "r.max_queue",
  "r.fallback",
  "r.retry_crashed",
  "r.created_by",
  "r.created_at as release_created_at",
] as const;

const DEPLOYMENT_COLUMNS = ["d.id", "d.account_id", "d.owner", "d.name", "d.current_release", "d.created_at", ...RELEASE_COLUMNS] as const;

export function createDeploymentRepository({ db, dialect }: StoreContext): DeploymentRepository {
  function joined() {
    return db
      .selectFrom("deployments as d")
      .innerJoin("deployment_releases as r", (join) => join.onRef("r.deployment_id", "=", "d.id").onRef("r.number", "=", "d.current_release"))
      .select(DEPLOYMENT_COLUMNS);
  }

  function releaseRow(deploymentId: string, release: DeploymentRelease): ReleaseRow {
    const c = release.configuration;
    return {
      deployment_id: deploymentId,
      number: release.number,
      model_id: release.modelId,
      model: release.model,
      version_id: release.versionId,
      hardware: c.hardware,
      min_instances: c.minInstances,
      max_instances: c.maxInstances,
      max_queue: c.maxQueue,
      fallback: c.fallback,
      retry_crashed: dbBool(dialect, c.retryCrashed),
      created_at: release.createdAt,
      created_by: release.createdByAccountId,
    };
  }

  async function byId(id: string): Promise<Deployment | null> {
    const row = await joined().where("d.id", "=", id).executeTakeFirst();
    return row ? toDeployment(row) : null;
  }

  return {
    async create(deployment) {
      return db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto("deployments")
          .values({
            id: deployment.id,
            account_id: deployment.accountId,
            owner: deployment.owner,
            name: deployment.name,
            current_release: deployment.currentRelease.number,
            created_at: deployment.createdAt,
          })
          .onConflict((oc) => oc.columns(["owner", "name"]).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null;
        await trx.insertInto("deployment_releases").values(releaseRow(deployment.id, deployment.currentRelease)).execute();
        return deployment;
      });
    },

    async get(owner, name) {
      const row = await joined().where("d.owner", "=", owner).where("d.name", "=", name).executeTakeFirst();
      return row ? toDeployment(row) : null;
    },

    async list(accountId, { cursor, limit }) {
      const size = pageSize(limit);
      let query = joined().where("d.account_id", "=", accountId);
      if (cursor !== null) {
        const [createdAt, id] = decodeCursor(cursor, ["s", "s"]) as [string, string];
        query = query.where((eb) => eb.or([eb("d.created_at", "<", createdAt), eb.and([eb("d.created_at", "=", createdAt), eb("d.id", "<", id)])]));
      }
      const rows = await query
        .orderBy("d.created_at", "desc")
        .orderBy("d.id", "desc")
        .limit(size + 1)
        .execute();
      return toSlice(rows, size, toDeployment, (row) => [row.created_at, row.id]);
    },

    async addRelease(deploymentId, expectedNumber, release) {
      const moved = await db.transaction().execute(async (trx) => {
        // Moving the pointer first takes the row lock: a concurrent update waits, then finds the number changed.
        const result = await trx
          .updateTable("deployments")
          .set({ current_release: release.number })
          .where("id", "=", deploymentId)
          .where("current_release", "=", expectedNumber)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await trx.insertInto("deployment_releases").values(releaseRow(deploymentId, release)).execute();
        return true;
      });
      return moved ? byId(deploymentId) : null;
    },

    async listReleases(deploymentId) {
      const rows = await db.selectFrom("deployment_releases").selectAll().where("deployment_id", "=", deploymentId).orderBy("number", "asc").execute();
      return rows.map((row) => toRelease({ ...row, release_created_at: row.created_at }));
    },

    async delete(deploymentId) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom("deployment_releases").where("deployment_id", "=", deploymentId).execute();
        const result = await trx.deleteFrom("deployments").where("id", "=", deploymentId).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },

    async countQueued(deployment, cap) {
      // Counting a bounded subquery stops at `cap` rows however long the queue is.
      const row = await db
        .selectFrom((eb) =>
          eb
            .selectFrom("predictions")
            .select("id")
            .where("deployment", "=", deployment)
            .where("status", "=", "starting")
            .limit(Math.max(0, Math.trunc(cap)))
            .as("queued"),
        )
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async usage(deployment) {
      const row = await db
        .selectFrom("predictions")
        .select((eb) => [
          eb.fn.sum<number | string | null>(sql`case when status in ('starting', 'processing') then 1 else 0 end`).as("open"),
          eb.fn.max("created_at").as("last_created"),
          eb.fn.max("completed_at").as("last_completed"),
        ])
        .where("deployment", "=", deployment)
        .executeTakeFirstOrThrow();
      const times = [row.last_created, row.last_completed].filter((t): t is string => typeof t === "string").sort();
      return { open: Number(row.open ?? 0), lastActivityAt: times.at(-1) ?? null };
    },

    async currentReleases() {
      const rows = await joined().orderBy("d.created_at", "asc").orderBy("d.id", "asc").execute();
      return rows.map((row) => ({ deployment: `${row.owner}/${row.name}`, release: toRelease(row) }));
    },
  };
}

function toRelease(row: Omit<ReleaseRow, "deployment_id" | "created_at"> & { release_created_at: string }): DeploymentRelease {
  return {
    number: Number(row.number),
    modelId: row.model_id,
    model: row.model,
    versionId: row.version_id,
    configuration: {
      hardware: row.hardware,
      minInstances: Number(row.min_instances),
      maxInstances: Number(row.max_instances),
      maxQueue: row.max_queue === null ? null : Number(row.max_queue),
      fallback: row.fallback,
      retryCrashed: Boolean(row.retry_crashed),
    },
    createdAt: row.release_created_at,
    createdByAccountId: row.created_by,
  };
}

function toDeployment(row: DeploymentRow): Deployment {
  return {
    id: row.id,
    accountId: row.account_id,
    owner: row.owner,
    name: row.name,
    createdAt: row.created_at,
    currentRelease: toRelease(row),
  };
}
