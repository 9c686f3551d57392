// Contract: an account's retention setting, and finding and emptying predictions whose data expired, on every engine.
import { describe, expect, it } from "vitest";
import { aPrediction, at, seedVersion } from "./support/fixtures.js";
import { STORE_FACTORIES } from "./support/store-factories.js";
import { useStore } from "./support/use-store.js";

describe.each(STORE_FACTORIES)("data retention on $name", (factory) => {
  const t = useStore(factory);

  it("keeps an account's retention: null by default, then seconds, forever (-1) or back to the default", async () => {
    const { account } = await seedVersion(t.store);
    expect(await t.store.accounts.getDataRetention(account.id)).toBeNull();
    await t.store.accounts.setDataRetention(account.id, 600);
    expect(await t.store.accounts.getDataRetention(account.id)).toBe(600);
    await t.store.accounts.setDataRetention(account.id, -1);
    expect(await t.store.accounts.getDataRetention(account.id)).toBe(-1);
    await t.store.accounts.setDataRetention(account.id, null);
    expect(await t.store.accounts.getDataRetention(account.id)).toBeNull();
    expect((await t.store.accounts.findById(account.id))?.username).toBe(account.username);
  });

  it("writes data_expires_at with a status change and reads it back", async () => {
    const { account, version } = await seedVersion(t.store);
    const p = await t.store.predictions.insert(aPrediction(version, account.id, { status: "processing" }));
    const ended = await t.store.predictions.update(p.id, "processing", { status: "succeeded", completedAt: at(200), dataExpiresAt: at(3800) });
    expect(ended?.dataExpiresAt).toBe(at(3800));
    expect((await t.store.predictions.get(p.id))?.dataExpiresAt).toBe(at(3800));
  });

  it("finds ended predictions whose data is due, oldest expiry first, up to the limit", async () => {
    const { account, version } = await seedVersion(t.store);
    const insert = (expires: string | null, status: "succeeded" | "processing" = "succeeded") =>
      t.store.predictions.insert(aPrediction(version, account.id, { status, dataExpiresAt: expires }));
    const late = await insert(at(300));
    const early = await insert(at(100));
    const middle = await insert(at(200));
    await insert(at(400)); // not due yet
    await insert(null); // kept forever
    await insert(at(50), "processing"); // still running: never due
    const due = await t.store.predictions.findDataExpired(at(300), 10);
    expect(due.map((p) => p.id)).toEqual([early.id, middle.id, late.id]);
    expect((await t.store.predictions.findDataExpired(at(300), 2)).map((p) => p.id)).toEqual([early.id, middle.id]);
  });

  it("empties input, output and logs, keeps status, error, times and metrics, and is not found again", async () => {
    const { account, version } = await seedVersion(t.store);
    const p = await t.store.predictions.insert(
      aPrediction(version, account.id, {
        status: "failed",
        input: { prompt: "secret" },
        output: ["a", "b"],
        logs: "line\n",
        error: "boom",
        completedAt: at(150),
        metrics: { predict_time: 1 },
        dataExpiresAt: at(160),
      }),
    );
    expect(await t.store.predictions.removeData([p.id])).toBe(1);
    expect(await t.store.predictions.get(p.id)).toEqual({
      ...p,
      input: {},
      output: null,
      logs: "",
      dataRemoved: true,
      dataExpiresAt: null,
    });
    expect(await t.store.predictions.findDataExpired(at(1000), 10)).toEqual([]);
  });

  it("never empties a prediction that is still running", async () => {
    const { account, version } = await seedVersion(t.store);
    const running = await t.store.predictions.insert(
      aPrediction(version, account.id, { status: "processing", logs: "working\n", dataExpiresAt: at(1) }),
    );
    expect(await t.store.predictions.removeData([running.id])).toBe(0);
    expect(await t.store.predictions.get(running.id)).toMatchObject({ logs: "working\n", dataRemoved: false });
  });

  it("empties more predictions than one statement's list holds", async () => {
    const { account, version } = await seedVersion(t.store);
    const ids: string[] = [];
    for (let i = 0; i < 520; i++) ids.push(aPrediction(version, account.id, { status: "succeeded", dataExpiresAt: at(1) }).id);
    for (const id of ids) await t.store.predictions.insert(aPrediction(version, account.id, { id, status: "succeeded", dataExpiresAt: at(1) }));
    expect(await t.store.predictions.removeData(ids)).toBe(520);
    expect(await t.store.predictions.findDataExpired(at(10), 1000)).toEqual([]);
  });
});
