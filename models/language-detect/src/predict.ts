// ferry/language-detect: which language a text is written in, with Google's CLD3 (a small neural network over
// character n-grams) compiled to WebAssembly by cld3-asm. About 107 languages; load ~20 ms, a call ~1 ms.
import { z } from "zod";
import { defineModel } from "@ferry/sdk";
import type { LanguageIdentifier } from "cld3-asm";

export const MAX_TEXT_CHARS = 10_000;
/** Below this many letters CLD3 still answers, but often wrongly ("Hello" → Serbian, 0.83): not reliable. */
export const MIN_RELIABLE_LETTERS = 10;
/** Bytes of each span CLD3 reads; its default (700) is enough for the answer, more only costs time. */
const MAX_BYTES_PER_SPAN = 2_000;
const UNKNOWN = "und";

const guess = z.object({
  language: z.string().describe("ISO 639-1 code (a few languages have no 2-letter code: fil, haw, hmn, ceb; zh-Latn, ja-Latn… are romanised)"),
  probability: z.number().describe("CLD3's probability for this language, 0–1"),
  proportion: z.number().describe("Share of the text (by bytes) in this language, 0–1"),
});

let identifier: LanguageIdentifier | null = null;

export default defineModel({
  input: z.object({
    text: z.string().min(1).max(MAX_TEXT_CHARS).describe(`The text to identify (at most ${MAX_TEXT_CHARS} characters; a sentence or more is best)`),
    top_k: z.number().int().min(1).max(10).default(3).describe("At most this many languages in all: the main one plus alternatives"),
  }),
  output: z.object({
    language: z.string().describe(`ISO 639-1 code of the main language, or "${UNKNOWN}" when the text has no letters`),
    probability: z.number(),
    is_reliable: z.boolean(),
    proportion: z.number(),
    alternatives: z.array(guess).describe("Other languages found in parts of the text written in another script, most text first"),
  }),
  concurrency: 4,
  async setup(ctx) {
    const { loadModule } = await import("cld3-asm");
    const factory = await loadModule({ timeout: 30_000 });
    // minBytes 0: CLD3's default (140 bytes) answers "und" for every short sentence; shortness is judged below instead.
    identifier = factory.create(0, MAX_BYTES_PER_SPAN);
    ctx.log("CLD3 loaded");
  },
  predict(input) {
    if (identifier === null) throw new Error("setup has not run");
    const letters = (input.text.match(/\p{L}/gu) ?? []).length;
    if (letters === 0) return { language: UNKNOWN, probability: 0, is_reliable: false, proportion: 0, alternatives: [] };
    // CLD3 splits the text into runs of one script and names the language of each, largest share first. For text
    // in one script that is one answer, the same as its single-language call gives.
    const found = identifier
      .findMostFrequentLanguages(input.text, input.top_k)
      .filter((r) => r.language !== UNKNOWN)
      .map((r) => ({ language: r.language as string, probability: round(r.probability), proportion: round(r.proportion), is_reliable: r.is_reliable }));
    const [main, ...rest] = found.length > 0 ? found : [{ ...single(identifier, input.text), proportion: 1 }];
    if (main === undefined) throw new Error("CLD3 returned no language");
    return {
      language: main.language,
      probability: main.probability,
      is_reliable: main.is_reliable && letters >= MIN_RELIABLE_LETTERS,
      proportion: main.proportion,
      alternatives: rest.map(({ language, probability, proportion }) => ({ language, probability, proportion })),
    };
  },
});

function single(cld: LanguageIdentifier, text: string) {
  const r = cld.findLanguage(text);
  return { language: r.language as string, probability: round(r.probability), is_reliable: r.is_reliable };
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;
