// Data retention end to end: an account that keeps data for 0 seconds sees its API predictions emptied by the
// server's own sweeper (data_removed, input {}, output null, logs ""), and their streams replay nothing but done.
// The expiry rules themselves are tested on a fake clock in packages/engine.
import { describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "./support/databases.js";
import { pollPrediction } from "./support/client.js";
import { useServerOn } from "./support/server-on-database.js";

describe.each(DATABASE_KINDS)("data retention on %s", (kind) => {
  const booted = useServerOn(kind, { env: { FERRY_RETENTION_SWEEP_INTERVAL: "1" } });

  async function setRetention(value: number | "forever" | null): Promise<unknown> {
    const response = await booted.replicate.request("/account", { method: "PATCH", data: { data_retention: value } });
    return ((await response.json()) as { data_retention: unknown }).data_retention;
  }

  it("removes an ended prediction's input, output and logs once the account's retention passed", async () => {
    expect(await setRetention(0)).toBe(0);
    try {
      const prediction = await booted.replicate.predictions.create({ model: "ferry/count", input: { to: 2, delay_ms: 0 }, wait: 60 });
      expect(prediction).toMatchObject({ status: "succeeded", output: ["1", "2"], data_removed: false });
      const removed = await pollPrediction(booted.replicate, prediction.id, (p) => (p as { data_removed?: boolean }).data_removed === true, 20_000);
      expect(removed).toMatchObject({ status: "succeeded", input: {}, output: null, logs: "", data_removed: true });
      expect(removed.completed_at).toBe(prediction.completed_at);
      expect(removed.metrics?.predict_time).toBe(prediction.metrics?.predict_time);

      const stream = await (await fetch(prediction.urls.stream!)).text();
      expect([...stream.matchAll(/^event: (.+)$/gm)].map((m) => m[1])).toEqual(["done"]);
    } finally {
      expect(await setRetention(null)).toBeNull();
    }
  });

  it("reports the setting back as seconds, forever or null", async () => {
    expect(await setRetention(86_400)).toBe(86_400);
    expect(await setRetention("forever")).toBe("forever");
    expect(await setRetention(null)).toBeNull();
  });
});
