// ferry/text-analysis with the real winkNLP model behind the real SDK server: the default example's sentences,
// sentiments, entities and keywords; tokens on request; empty and overlong text refused.
import { describe, expect, it } from "vitest";
import { defaultExample, serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const served = serveDuringTests(model, { uploadUrl: null, readyWithinMs: 30_000, requestTimeoutMs: 30_000 });

interface Analysis {
  sentiment: number;
  sentences: { text: string; sentiment: number }[];
  entities: { text: string; type: string }[];
  tokens?: { text: string; pos: string; lemma: string }[];
  keywords?: { text: string; count: number }[];
}

async function analyse(input: Record<string, unknown>): Promise<Analysis> {
  const { body } = await served.post({ input });
  expect(body.status, String(body.error)).toBe("succeeded");
  return body.output as Analysis;
}

describe("ferry/text-analysis", () => {
  it("splits the default example into three sentences: neutral, negative, positive", async () => {
    const output = await analyse(await defaultExample(new URL("../", import.meta.url)));
    expect(output.sentences.map((s) => s.text)).toEqual([
      "On 5 March 2024 the startup raised $2 million from investors.",
      "Its first product launch was a disaster, and customers hated the app.",
      "The new design, released last Friday, is wonderful: sales grew 40% in a week and customers love the app now!",
    ]);
    const [neutral, negative, positive] = output.sentences.map((s) => s.sentiment) as [number, number, number];
    expect(neutral).toBe(0);
    expect(negative).toBeLessThan(-0.3);
    expect(positive).toBeGreaterThan(0.3);
    expect(output.sentiment).toBeGreaterThan(-1);
    expect(output.sentiment).toBeLessThan(1);
    expect(output.entities).toEqual(
      expect.arrayContaining([
        { text: "5 March 2024", type: "DATE" },
        { text: "$2 million", type: "MONEY" },
        { text: "last Friday", type: "DATE" },
        { text: "40%", type: "PERCENT" },
      ]),
    );
    // Counted by lemma, shown as written; "March" (part of a date) is no keyword.
    expect(output.keywords).toHaveLength(5);
    expect(output.keywords!.slice(0, 2)).toEqual([
      { text: "customers", count: 2 },
      { text: "app", count: 2 },
    ]);
    expect(output.keywords!.map((k) => k.text)).not.toContain("march");
    expect(output.tokens).toBeUndefined();
  });

  it("tags every token with its part of speech and lemma when include_tokens is true, and leaves keywords out at 0", async () => {
    const output = await analyse({ text: "The cats were sleeping on the warm roof.", include_tokens: true, max_keywords: 0 });
    expect(output.tokens).toEqual([
      { text: "The", pos: "DET", lemma: "the" },
      { text: "cats", pos: "NOUN", lemma: "cat" },
      { text: "were", pos: "AUX", lemma: "be" },
      { text: "sleeping", pos: "VERB", lemma: "sleep" },
      { text: "on", pos: "ADP", lemma: "on" },
      { text: "the", pos: "DET", lemma: "the" },
      { text: "warm", pos: "ADJ", lemma: "warm" },
      { text: "roof", pos: "NOUN", lemma: "roof" },
      { text: ".", pos: "PUNCT", lemma: "." },
    ]);
    expect(output.keywords).toBeUndefined();
  });

  it("finds contact details and social-media entities", async () => {
    const output = await analyse({ text: "Write to help@example.com or visit https://example.com today #support" });
    expect(output.entities).toEqual(
      expect.arrayContaining([
        { text: "help@example.com", type: "EMAIL" },
        { text: "https://example.com", type: "URL" },
        { text: "#support", type: "HASHTAG" },
      ]),
    );
  });

  it("rejects empty text and text over 100 000 characters with a 422 naming the field", async () => {
    for (const text of ["", "word ".repeat(20_001)]) {
      const res = await served.post({ input: { text } });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ detail: [{ loc: ["body", "input", "text"] }] });
    }
  });
});
