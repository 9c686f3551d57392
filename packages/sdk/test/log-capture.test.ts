// Logs written during a prediction (ctx.log, console.*, process.stdout/stderr) are attributed to that prediction only.
import { afterEach, describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { defineModel, type ModelServer, type PredictionSnapshot } from "../src/index.js";
import { call, serveReady } from "./support.js";

const servers: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe("log capture", () => {
  it("keeps console output of two concurrent predictions apart", async () => {
    const model = defineModel({
      input: z.object({ name: z.string() }),
      output: z.string(),
      concurrency: 2,
      async predict(input, ctx) {
        for (let step = 1; step <= 3; step++) {
          console.log(`${input.name} log %d`, step);
          await sleep(5);
          console.error(`${input.name} error ${step}`);
          ctx.log(`${input.name} ctx ${step}`);
        }
        process.stdout.write(`${input.name} raw\n`);
        return input.name;
      },
    });
    const server = await serveReady(model);
    servers.push(server);
    const [a, b] = await Promise.all([
      call<PredictionSnapshot>(server, "POST", "/predictions", { input: { name: "alpha" } }),
      call<PredictionSnapshot>(server, "POST", "/predictions", { input: { name: "beta" } }),
    ]);
    const expected = (name: string) =>
      [1, 2, 3].map((step) => `${name} log ${step}\n${name} error ${step}\n${name} ctx ${step}\n`).join("") + `${name} raw\n`;
    expect(a.body.logs).toBe(expected("alpha"));
    expect(b.body.logs).toBe(expected("beta"));
  });

  it("does not attribute output written outside any prediction", async () => {
    const model = defineModel({ input: z.object({}), output: z.string(), predict: () => "quiet" });
    const server = await serveReady(model);
    servers.push(server);
    console.log("between predictions");
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", {});
    expect(res.body.logs).toBe("");
  });
});
