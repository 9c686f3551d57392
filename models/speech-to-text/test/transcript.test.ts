// The parser of pocketsphinx_continuous -time yes output, on text it really printed (two utterances, one empty).
import { describe, expect, it } from "vitest";
import { parseTimedTranscript } from "../src/transcript.js";

const PRINTED = `the quick brown fox
<s> 0.000 0.140 0.999800
the 0.150 0.270 0.552739
quick 0.280 0.550 0.184133
[NOISE] 0.560 0.600 0.500000
brown 0.610 0.900 0.652888
<sil> 0.910 0.950 1.000000
fox 0.960 1.270 0.999900
</s> 1.280 1.350 1.000000

<s> 2.000 2.730 1.000000
</s> 2.740 2.910 1.000000
the lazy dog
<s> 3.000 3.030 0.999800
the(2) 3.040 3.100 0.083260
lazy 3.110 3.490 0.999900
dog 3.500 3.800 0.978531
</s> 3.810 3.900 1.0000000
`;

describe("parseTimedTranscript", () => {
  it("makes one segment per utterance with words, dropping fillers and pronunciation variants", () => {
    expect(parseTimedTranscript(PRINTED)).toEqual([
      {
        text: "the quick brown fox",
        start: 0.15,
        end: 1.27,
        words: [
          { word: "the", start: 0.15, end: 0.27, probability: 0.552739 },
          { word: "quick", start: 0.28, end: 0.55, probability: 0.184133 },
          { word: "brown", start: 0.61, end: 0.9, probability: 0.652888 },
          { word: "fox", start: 0.96, end: 1.27, probability: 0.9999 },
        ],
      },
      {
        text: "the lazy dog",
        start: 3.04,
        end: 3.8,
        words: [
          { word: "the", start: 3.04, end: 3.1, probability: 0.08326 },
          { word: "lazy", start: 3.11, end: 3.49, probability: 0.9999 },
          { word: "dog", start: 3.5, end: 3.8, probability: 0.978531 },
        ],
      },
    ]);
  });

  it("returns no segments for empty output", () => {
    expect(parseTimedTranscript("")).toEqual([]);
    expect(parseTimedTranscript("\n<s> 0.000 0.730 1.000000\n</s> 0.740 0.910 1.000000\n")).toEqual([]);
  });
});
