// Reads what `pocketsphinx_continuous -time yes` prints: per utterance, the hypothesis on a line of its own, then one
// line per token "word start end posterior" (`<s>`, `</s>`, `<sil>`, `[NOISE]` are fillers, "the(2)" is an
// alternative pronunciation of "the").

export interface Word {
  word: string;
  start: number;
  end: number;
  /** Pocketsphinx's posterior probability for the word, 0–1. */
  probability: number;
}

export interface Segment {
  text: string;
  start: number;
  end: number;
  words: Word[];
}

const TIMED_TOKEN = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/;
const FILLER = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;
const ALTERNATIVE = /\(\d+\)$/;

/** One segment per utterance that holds at least one word, in time order. */
export function parseTimedTranscript(stdout: string): Segment[] {
  const segments: Segment[] = [];
  let words: Word[] = [];
  const flush = () => {
    const first = words[0];
    const last = words.at(-1);
    if (first !== undefined && last !== undefined) {
      segments.push({ text: words.map((w) => w.word).join(" "), start: first.start, end: last.end, words });
    }
    words = [];
  };
  for (const line of stdout.split("\n")) {
    const timed = TIMED_TOKEN.exec(line.trim());
    if (timed === null) {
      // A hypothesis line (possibly empty) opens the next utterance.
      flush();
      continue;
    }
    const [, token = "", start = "0", end = "0", probability = "0"] = timed;
    if (FILLER.test(token)) continue;
    words.push({ word: token.replace(ALTERNATIVE, ""), start: Number(start), end: Number(end), probability: Math.min(1, Number(probability)) }); // pocketsphinx prints posteriors like 1.0001
  }
  flush();
  return segments;
}
