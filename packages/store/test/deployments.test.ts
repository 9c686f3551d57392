// Contract: DeploymentRepository (deployments, releases, queue counts and usage) on every engine.
import { describe, expect, it } from "vitest";
import { newId } from "@ferry/core";
import type { Account, Deployment, DeploymentRelease, Version } from "@ferry/core";
import { aPrediction, at, seedVersion } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

function aRelease(version: Version, account: Account, overrides: Partial<DeploymentRelease> = {}): DeploymentRelease {
  return {
    number: 1,
    modelId: version.modelId,
    model: "someone/something",
    versionId: version.id,
    configuration: { hardware: "cpu", minInstances: 0, maxInstances: 2, maxQueue: null, fallback: null, retryCrashed: false },
    createdAt: at(20),
    createdByAccountId: account.id,
    ...overrides,
  };
}

function aDeployment(account: Account, version: Version, overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: newId(),
    accountId: account.id,
    owner: account.username,
    name: `deploy-${newId().slice(0, 8)}`,
    createdAt: at(20),
    currentRelease: aRelease(version, account),
    ...overrides,
  };
}

describe.each(STORE_FACTORIES)("deployments on $name", (factory) => {
  const t = useStore(factory);

  it("stores a deployment with its first release and reads it back field for field", async () => {
    const { account, version } = await seedVersion(t.store);
    const deployment = aDeployment(account, version, {
      currentRelease: aRelease(version, account, {
        configuration: { hardware: "gpu-t4", minInstances: 1, maxInstances: 5, maxQueue: 7, fallback: "acme/backup", retryCrashed: true },
      }),
    });
    expect(await t.store.deployments.create(deployment)).toEqual(deployment);
    expect(await t.store.deployments.get(account.username, deployment.name)).toEqual(deployment);
    expect(await t.store.deployments.get(account.username, "nope")).toBeNull();
  });

  it("refuses a second deployment with the same owner and name, keeping the first", async () => {
    const { account, version } = await seedVersion(t.store);
    const first = aDeployment(account, version, { name: "same" });
    await t.store.deployments.create(first);
    expect(await t.store.deployments.create(aDeployment(account, version, { name: "same" }))).toBeNull();
    expect(await t.store.deployments.get(account.username, "same")).toEqual(first);
  });

  it("adds a release only while the current number is the expected one", async () => {
    const { account, version } = await seedVersion(t.store);
    const deployment = aDeployment(account, version);
    await t.store.deployments.create(deployment);
    const second = aRelease(version, account, {
      number: 2,
      createdAt: at(30),
      configuration: { ...deployment.currentRelease.configuration, maxInstances: 4 },
    });
    const updated = await t.store.deployments.addRelease(deployment.id, 1, second);
    expect(updated?.currentRelease).toEqual(second);
    // A writer that still believes release 1 is current loses.
    expect(await t.store.deployments.addRelease(deployment.id, 1, { ...second, createdAt: at(31) })).toBeNull();
    expect((await t.store.deployments.get(account.username, deployment.name))?.currentRelease).toEqual(second);
    expect((await t.store.deployments.listReleases(deployment.id)).map((r) => r.number)).toEqual([1, 2]);
  });

  it("lets exactly one of many concurrent updates become the next release", async () => {
    const { account, version } = await seedVersion(t.store);
    const deployment = aDeployment(account, version);
    await t.store.deployments.create(deployment);
    const results = await Promise.all(
      [3, 4, 5, 6].map((max) =>
        t.store.deployments.addRelease(
          deployment.id,
          1,
          aRelease(version, account, { number: 2, configuration: { ...deployment.currentRelease.configuration, maxInstances: max } }),
        ).catch(() => null),
      ),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await t.store.deployments.listReleases(deployment.id)).toHaveLength(2);
  });

  it("lists an account's deployments newest first, page by page, and nobody else's", async () => {
    const { account, version } = await seedVersion(t.store);
    const other = await seedVersion(t.store);
    const made: Deployment[] = [];
    for (let i = 0; i < 5; i++) {
      const d = aDeployment(account, version, { createdAt: at(100 + i) });
      await t.store.deployments.create(d);
      made.push(d);
    }
    await t.store.deployments.create(aDeployment(other.account, other.version));
    const first = await t.store.deployments.list(account.id, { cursor: null, limit: 3 });
    expect(first.items.map((d) => d.name)).toEqual(made.slice(2).reverse().map((d) => d.name));
    const second = await t.store.deployments.list(account.id, { cursor: first.nextCursor, limit: 3 });
    expect(second.items.map((d) => d.name)).toEqual(made.slice(0, 2).reverse().map((d) => d.name));
    expect(second.nextCursor).toBeNull();
  });

  it("deletes a deployment and its releases; its name can then be used again", async () => {
    const { account, version } = await seedVersion(t.store);
    const deployment = aDeployment(account, version, { name: "gone" });
    await t.store.deployments.create(deployment);
    expect(await t.store.deployments.delete(deployment.id)).toBe(true);
    expect(await t.store.deployments.get(account.username, "gone")).toBeNull();
    expect(await t.store.deployments.listReleases(deployment.id)).toEqual([]);
    expect(await t.store.deployments.delete(deployment.id)).toBe(false);
    expect(await t.store.deployments.create(aDeployment(account, version, { name: "gone" }))).not.toBeNull();
  });

  it("keeps a prediction's deployment and fallback_from", async () => {
    const { account, version } = await seedVersion(t.store);
    const plain = aPrediction(version, account.id);
    const through = aPrediction(version, account.id, { deployment: "acme/backup", fallbackFrom: "acme/main" });
    await t.store.predictions.insert(plain);
    await t.store.predictions.insert(through);
    expect(await t.store.predictions.get(through.id)).toMatchObject({ deployment: "acme/backup", fallbackFrom: "acme/main" });
    const read = await t.store.predictions.get(plain.id);
    expect(read?.deployment).toBeUndefined();
    expect(read?.fallbackFrom).toBeUndefined();
  });

  it("counts a deployment's queued predictions up to a cap, and its open work and last activity", async () => {
    const { account, version } = await seedVersion(t.store);
    const ref = "acme/main";
    expect(await t.store.deployments.usage(ref)).toEqual({ open: 0, lastActivityAt: null });
    for (let i = 0; i < 4; i++) await t.store.predictions.insert(aPrediction(version, account.id, { deployment: ref, createdAt: at(200 + i) }));
    await t.store.predictions.insert(aPrediction(version, account.id, { deployment: "acme/other" }));
    await t.store.predictions.insert(aPrediction(version, account.id));
    const running = aPrediction(version, account.id, { deployment: ref, status: "processing", startedAt: at(205), createdAt: at(205) });
    await t.store.predictions.insert(running);
    const done = aPrediction(version, account.id, {
      deployment: ref,
      status: "succeeded",
      createdAt: at(150),
      startedAt: at(151),
      completedAt: at(400),
    });
    await t.store.predictions.insert(done);

    expect(await t.store.deployments.countQueued(ref, 100)).toBe(4);
    expect(await t.store.deployments.countQueued(ref, 2)).toBe(2);
    expect(await t.store.deployments.countQueued("acme/none", 10)).toBe(0);
    expect(await t.store.deployments.usage(ref)).toEqual({ open: 5, lastActivityAt: at(400) });
  });

  it("gives every deployment's current release for scaling", async () => {
    const { account, version } = await seedVersion(t.store);
    const a = aDeployment(account, version, { name: "a", createdAt: at(1) });
    const b = aDeployment(account, version, { name: "b", createdAt: at(2) });
    await t.store.deployments.create(a);
    await t.store.deployments.create(b);
    const next = aRelease(version, account, { number: 2, configuration: { ...b.currentRelease.configuration, minInstances: 2 } });
    await t.store.deployments.addRelease(b.id, 1, next);
    const current = await t.store.deployments.currentReleases();
    expect(current).toEqual([
      { deployment: `${account.username}/a`, release: a.currentRelease },
      { deployment: `${account.username}/b`, release: next },
    ]);
  });
});
