// ferry/language-detect with the real CLD3 (cld3-asm) behind the real SDK server: English, German, French and
// Spanish sentences are told apart reliably, mixed scripts give alternatives, and text without letters is "und".
import { describe, expect, it } from "vitest";
import { defaultExample, serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const served = serveDuringTests(model, { uploadUrl: null, readyWithinMs: 30_000, requestTimeoutMs: 30_000 });

async function detect(input: Record<string, unknown>) {
  const { body } = await served.post({ input });
  expect(body.status, String(body.error)).toBe("succeeded");
  return body.output as { language: string; probability: number; is_reliable: boolean; proportion: number; alternatives: { language: string; probability: number; proportion: number }[] };
}

describe("ferry/language-detect", () => {
  it("names the default example's language (French) reliably", async () => {
    const output = await detect(await defaultExample(new URL("../", import.meta.url)));
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
    const empty = await served.post({ input: { text: "" } });
    expect(empty.status).toBe(422);
    expect(empty.body).toMatchObject({ detail: [{ loc: ["body", "input", "text"] }] });
    const topK = await served.post({ input: { text: "Bonjour tout le monde", top_k: 0 } });
    expect(topK.status).toBe(422);
    expect(topK.body).toMatchObject({ detail: [{ loc: ["body", "input", "top_k"] }] });
  });
});
