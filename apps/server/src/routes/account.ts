// GET /v1/account: the caller's account (spec §2.8). PATCH /v1/account (a Ferry extension) sets how long the
// account's API predictions keep their input, output, logs and output files once they end:
//   {"data_retention": 3600}      seconds (0 or more)
//   {"data_retention": "forever"} never removed
//   {"data_retention": null}      the server default (FERRY_DATA_RETENTION)
// It answers with the account and `data_retention` as set (seconds, "forever" or null); an empty body changes
// nothing and only reads it. The new setting applies to predictions that end from then on.
import type { FastifyInstance } from "fastify";
import { FerryError } from "@ferry/core";
import { KEEP_FOREVER } from "@ferry/engine";
import { accountOf } from "../http/auth.js";
import { serializeAccount } from "../serializers/account.js";
import type { RouteDeps } from "./deps.js";

type RetentionJSON = number | "forever" | null;

export function accountRoutes(v1: FastifyInstance, { engine }: Pick<RouteDeps, "engine">): void {
  v1.get("/account", async (request) => serializeAccount(accountOf(request)));

  v1.patch<{ Body: { data_retention?: unknown } | undefined }>("/account", async (request) => {
    const account = accountOf(request);
    const body = request.body ?? {};
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new FerryError("validation_failed", "The request body must be a JSON object");
    }
    if ("data_retention" in body) await engine.retention.set(account, retentionSeconds(body.data_retention));
    const { seconds } = await engine.retention.get(account);
    const dataRetention: RetentionJSON = seconds === KEEP_FOREVER ? "forever" : seconds;
    return { ...serializeAccount(account), data_retention: dataRetention };
  });
}

function retentionSeconds(value: unknown): number | null {
  if (value === null) return null;
  if (value === "forever" || value === KEEP_FOREVER) return KEEP_FOREVER;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw new FerryError("validation_failed", 'data_retention must be a whole number of seconds (0 or more), "forever" or null');
}
