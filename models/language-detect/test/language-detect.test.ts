// ferry/language-detect with the real CLD3 (cld3-asm) behind the real SDK server: English, German, French and
// Spanish sentences are told apart reliably, mixed scripts give alternatives, and text without letters is "und".
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveModel, type ModelServer, type PredictionSnapshot } from "@ferry/sdk";
import model from "../src/predict.js";

const folder = new URL("../", import.meta.url);
let server: ModelServer;

async function post(input: Record<string, unknown>): Promise<{ status: number; body: PredictionSnapshot }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/predictions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input }),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: (await res.json()) as PredictionSnapshot };
}

async function detect(input: Record<string, unknown>) {
  const { body } = await post(input);
  expect(body.status, String(body.error)).toBe("succeeded");
  return body.output as { language: string; probability: number; is_reliable: boolean; proportion: number; alternatives: { language: string; probability: number; proportion: number }[] };
}

beforeAll(async () => {
  server = await serveModel(model, { port: 0, echoLogs: false, uploadUrl: null });
  const deadline = Date.now() + 30_000;
  while (server.health().status !== "READY") {
    if (server.health().status === "SETUP_FAILED") throw new Error(`setup failed: ${JSON.stringify(server.health())}`);
    if (Date.now() > deadline) throw new Error(`ferry/language-detect did not become READY: ${JSON.stringify(server.health())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
afterAll(async () => {
  await server?.close();
});

describe("ferry/language-detect", () => {
  it("names the default example's language (French) reliably", async () => {
    const manifest = JSON.parse(await readFile(new URL("ferry.json", folder), "utf8")) as { examples: { input: Record<string, unknown> }[] };
    const output = await detect(manifest.examples[0]!.input);
    expect(output).toMatchObject({ language: "fr", is_reliable: true, proportion: 1, alternatives: [] });
    expect(output.probability).toBeGreaterThan(0.95);
  });

  it.each([
    ["en", "The weather is lovely today, so we are taking the children to the beach after lunch."],
    ["de", "Das Wetter ist heute schön, deshalb fahren wir nach dem Mittagessen mit den Kindern an den Strand."],
    ["fr", "Il fait beau aujourd'hui, alors nous emmenons les enfants à la plage après le déjeuner."],
    ["es", "Hoy hace buen tiempo, así que llevaremos a los niños a la playa después del almuerzo."],
  ])("identifies %s", async (language, text) => {
    const output = await detect({ text });
    expect(output).toMatchObject({ language, is_reliable: true });
    expect(output.probability).toBeGreaterThan(0.9);
  });

  it("reports languages in other scripts as alternatives, bounded by top_k", async () => {
    // Shares are by bytes: the German (mostly 1-byte letters) is written longest so that it leads.
    const text =
      "Das Wetter ist heute schön, deshalb gehen wir nach dem Mittagessen mit den Kindern an den Strand. Погода сегодня прекрасная, и мы идём на пляж. 今天天气很好，我们去海滩。";
    const all = await detect({ text, top_k: 3 });
    expect(all.language).toBe("de");
    expect(all.alternatives.map((a) => a.language)).toEqual(["ru", "zh"]);
    const proportions = [all.proportion, ...all.alternatives.map((a) => a.proportion)];
    expect(proportions.reduce((a, b) => a + b)).toBeCloseTo(1, 2);
    expect(proportions).toEqual([...proportions].sort((a, b) => b - a));
    expect((await detect({ text, top_k: 2 })).alternatives.map((a) => a.language)).toEqual(["ru"]);
    expect((await detect({ text, top_k: 1 })).alternatives).toEqual([]);
  });

  it("never calls a text of a few letters reliable, and answers und for text without letters", async () => {
    expect(await detect({ text: "Hello" })).toMatchObject({ is_reliable: false });
    expect(await detect({ text: "12345 !!! 42" })).toEqual({ language: "und", probability: 0, is_reliable: false, proportion: 0, alternatives: [] });
  });

  it("rejects empty text and a top_k out of range with a 422 naming the field", async () => {
    const empty = await post({ text: "" });
    expect(empty.status).toBe(422);
    expect(empty.body).toMatchObject({ detail: [{ loc: ["body", "input", "text"] }] });
    const topK = await post({ text: "Bonjour tout le monde", top_k: 0 });
    expect(topK.status).toBe(422);
    expect(topK.body).toMatchObject({ detail: [{ loc: ["body", "input", "top_k"] }] });
  });
});
