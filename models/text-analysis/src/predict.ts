// ferry/text-analysis: English sentences, sentiment, named entities, parts of speech and keywords with winkNLP and
// its lite web model (a statistical POS tagger, pattern-based entities, a sentiment lexicon with negation handling).
import { z } from "zod";
import { defineModel } from "@ferry/sdk";
import type { ItsFunction, WinkMethods } from "wink-nlp";

export const MAX_TEXT_CHARS = 100_000;
/** Parts of speech that carry a text's subject; keywords are drawn from these only. */
const CONTENT_POS = new Set(["NOUN", "PROPN", "ADJ", "VERB"]);

let nlp: WinkMethods | null = null;

export default defineModel({
  input: z.object({
    text: z.string().min(1).max(MAX_TEXT_CHARS).describe(`English text to analyse (at most ${MAX_TEXT_CHARS} characters)`),
    include_tokens: z.boolean().default(false).describe("Also return every token with its part of speech and lemma"),
    max_keywords: z.number().int().min(0).max(50).default(10).describe("Return up to this many keywords (0: none)"),
  }),
  output: z.object({
    sentiment: z.number().describe("Sentiment of the whole text, from -1 (negative) to 1 (positive)"),
    sentences: z.array(z.object({ text: z.string(), sentiment: z.number() })),
    entities: z
      .array(z.object({ text: z.string(), type: z.string() }))
      .describe("DATE, TIME, MONEY, PERCENT, CARDINAL, ORDINAL, DURATION, EMAIL, URL, HASHTAG, MENTION, EMOJI, EMOTICON… (not people or organisations)"),
    tokens: z
      .array(z.object({ text: z.string(), pos: z.string(), lemma: z.string() }))
      .optional()
      .describe("Universal POS tags (NOUN, VERB, ADJ, PROPN, PUNCT…); only when include_tokens is true"),
    keywords: z
      .array(z.object({ text: z.string(), count: z.number().int() }))
      .optional()
      .describe("The most frequent content-word lemmas (nouns, proper nouns, adjectives, verbs that are not stop words)"),
  }),
  concurrency: 4,
  async setup(ctx) {
    const { default: winkNLP } = await import("wink-nlp");
    const { default: model } = await import("wink-eng-lite-web-model");
    nlp = winkNLP(model);
    ctx.log("winkNLP with wink-eng-lite-web-model loaded");
  },
  predict(input) {
    if (nlp === null) throw new Error("setup has not run");
    const its = nlp.its;
    const doc = nlp.readDoc(input.text);
    const sentenceTexts = doc.sentences().out() as string[];
    const sentenceScores = doc.sentences().out(its.sentiment) as number[];
    const entities = (doc.entities().out(its.detail) as { value: string; type: string }[]).map((e) => ({ text: e.value, type: e.type }));
    const tokens = doc.tokens();
    // Parallel arrays, one per property: one pass of the library each, rather than one call per token.
    const texts = tokens.out() as string[];
    const pos = tokens.out(its.pos) as string[];
    // Its typings give lemma (which needs the model's addons) a signature out() does not list; it works at run time.
    const lemmas = tokens.out(its.lemma as unknown as ItsFunction<string>) as string[];
    const output: {
      sentiment: number;
      sentences: { text: string; sentiment: number }[];
      entities: { text: string; type: string }[];
      tokens?: { text: string; pos: string; lemma: string }[];
      keywords?: { text: string; count: number }[];
    } = {
      sentiment: round(doc.out(its.sentiment) as number),
      sentences: sentenceTexts.map((text, i) => ({ text, sentiment: round(sentenceScores[i] ?? 0) })),
      entities,
    };
    if (input.include_tokens) output.tokens = texts.map((text, i) => ({ text, pos: pos[i] ?? "X", lemma: lemmas[i] ?? text }));
    if (input.max_keywords > 0) {
      // Tokens inside an entity ("March" of a date, "million" of an amount) are not what the text is about.
      const inEntity = new Set<number>();
      for (const [from, to] of doc.entities().out(its.span) as unknown as [number, number][]) for (let i = from; i <= to; i++) inEntity.add(i);
      const candidates = {
        types: tokens.out(its.type) as string[],
        stop: tokens.out(its.stopWordFlag) as boolean[],
        normals: tokens.out(its.normal) as string[],
        pos,
        lemmas,
        inEntity,
      };
      output.keywords = keywords(candidates, input.max_keywords);
    }
    return output;
  },
});

interface KeywordCandidates {
  types: string[];
  stop: boolean[];
  normals: string[];
  pos: string[];
  lemmas: string[];
  inEntity: Set<number>;
}

/**
 * Content words counted by lemma ("customer" and "customers" are one keyword), shown in the form the text uses most
 * (the lemmatiser turns "app" into "application", which the reader never wrote). Most frequent first; ties keep the
 * order of first appearance (Map keeps insertion order and sort is stable).
 */
function keywords(c: KeywordCandidates, max: number): { text: string; count: number }[] {
  const groups = new Map<string, Map<string, number>>();
  for (let i = 0; i < c.lemmas.length; i++) {
    const lemma = (c.lemmas[i] ?? "").toLowerCase();
    if (c.types[i] !== "word" || c.stop[i] === true || c.inEntity.has(i) || !CONTENT_POS.has(c.pos[i] ?? "") || lemma.length < 2) continue;
    const forms = groups.get(lemma) ?? new Map<string, number>();
    const form = c.normals[i] ?? lemma;
    forms.set(form, (forms.get(form) ?? 0) + 1);
    groups.set(lemma, forms);
  }
  return [...groups.values()]
    .map((forms) => {
      const sorted = [...forms.entries()].sort((a, b) => b[1] - a[1]);
      return { text: sorted[0]?.[0] ?? "", count: sorted.reduce((sum, [, n]) => sum + n, 0) };
    })
    .sort((a, b) => b.count - a.count)
    .slice(0, max);
}

const round = (n: number) => Math.round(n * 1000) / 1000;
