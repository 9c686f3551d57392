// The models' test harness: it serves a model until READY, fails at once when setup fails, and reads data: URIs
// strictly, so a model test built on it cannot pass on a server or an output that is not there.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineModel } from "@ferry/sdk";
import { bytesOf, dataUri, defaultExample, defaultExampleFile, greyPng, serveDuringTests, serveForTest } from "@ferry/model-kit/testing";
import { decodeImage } from "@ferry/model-kit";

const echo = defineModel({
  input: z.object({ text: z.string() }),
  output: z.string(),
  predict: ({ text }) => `echo ${text}`,
});

describe("@ferry/model-kit/testing", () => {
  it("serves a model, answers predictions and a 422 with their bodies, and closes", async () => {
    const served = await serveForTest(echo, { readyWithinMs: 5_000, requestTimeoutMs: 5_000 });
    try {
      expect(served.server.health().status).toBe("READY");
      expect(await served.predict({ text: "hi" })).toMatchObject({ status: "succeeded", output: "echo hi" });
      const refused = await served.post({ input: { text: 5 } });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ detail: [{ loc: ["body", "input", "text"] }] });
    } finally {
      await served.close();
    }
    await expect(fetch(`http://127.0.0.1:${served.server.port}/health-check`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });

  describe("serveDuringTests", () => {
    const served = serveDuringTests(echo, { readyWithinMs: 5_000, requestTimeoutMs: 5_000 });
    // While tests are being collected (before beforeAll ran) the handle refuses to be used.
    const early = (() => {
      try {
        return String(served.server.port);
      } catch (err) {
        return (err as Error).message;
      }
    })();

    it("serves the model to the tests of its block, and only from beforeAll on", async () => {
      expect(early).toBe("the model is served from beforeAll on");
      expect(served.server.health().status).toBe("READY");
      expect(await served.predict({ text: "block" })).toMatchObject({ status: "succeeded", output: "echo block" });
    });
  });

  it("rejects at once, with the health, when setup fails", async () => {
    const broken = defineModel({
      input: z.object({}),
      output: z.string(),
      setup: () => {
        throw new Error("weights missing");
      },
      predict: () => "never",
    });
    const started = Date.now();
    await expect(serveForTest(broken, { readyWithinMs: 10_000, requestTimeoutMs: 1_000 })).rejects.toThrow(/did not become READY.*SETUP_FAILED/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("round-trips data: URIs and refuses anything else or another type", () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(bytesOf(dataUri(bytes, "image/png"))).toEqual(bytes);
    expect(bytesOf(dataUri(bytes, "image/png"), "image/png")).toEqual(bytes);
    expect(() => bytesOf(dataUri(bytes, "image/jpeg"), "image/png")).toThrow(/of image\/png, got data:image\/jpeg/);
    expect(() => bytesOf("https://files.example/out.png")).toThrow(/expected a base64 data: URI/);
    expect(() => bytesOf("data:image/png;base64,")).toThrow(/expected a base64 data: URI/);
    expect(() => bytesOf(undefined)).toThrow(/expected a base64 data: URI/);
  });

  it("reads a model's default example and the file it names", async () => {
    const folder = await mkdtemp(join(tmpdir(), "ferry-harness-"));
    try {
      await mkdir(join(folder, "examples"));
      await writeFile(join(folder, "examples", "in.bin"), Buffer.from([7, 8, 9]));
      const examples = [{ name: "default", input: { file: "examples/in.bin", n: 2 } }, { name: "other", input: { n: 3 } }];
      await writeFile(join(folder, "ferry.json"), JSON.stringify({ examples }));
      const url = pathToFileURL(`${folder}/`);
      expect(await defaultExample(url)).toEqual({ file: "examples/in.bin", n: 2 });
      expect(await defaultExampleFile(url, "file")).toEqual(Buffer.from([7, 8, 9]));
      await expect(defaultExampleFile(url, "n")).rejects.toThrow(/no file in "n"/);
      await writeFile(join(folder, "ferry.json"), JSON.stringify({ examples: [] }));
      await expect(defaultExample(url)).rejects.toThrow(/has no example/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("makes a plain grey PNG of the size asked", async () => {
    const grey = await decodeImage(await greyPng(32, 24));
    expect(grey).toMatchObject({ width: 32, height: 24 });
    expect(grey.data.every((v) => v === 128)).toBe(true);
  });
});
