// Flattens tesseract's block → paragraph → line tree into the output's lines, with boxes in input pixels.
// `scale` is decoded pixels per input pixel (below 1 when the page was scaled down for recognition).
import type { RgbImage } from "@ferry/model-kit";
import type { Page } from "tesseract.js";

export interface OcrLine {
  text: string;
  confidence: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
}

export function pageLines(page: Page, image: Pick<RgbImage, "scale" | "originalWidth" | "originalHeight">): OcrLine[] {
  const x = (value: number, round: (n: number) => number) => Math.min(image.originalWidth, Math.max(0, round(value / image.scale)));
  const y = (value: number, round: (n: number) => number) => Math.min(image.originalHeight, Math.max(0, round(value / image.scale)));
  const lines: OcrLine[] = [];
  for (const block of page.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const text = line.text.trim();
        if (text === "") continue;
        lines.push({
          text,
          confidence: Math.round(line.confidence * 100) / 100,
          bbox: {
            x0: x(line.bbox.x0, Math.floor),
            y0: y(line.bbox.y0, Math.floor),
            x1: x(line.bbox.x1, Math.ceil),
            y1: y(line.bbox.y1, Math.ceil),
          },
        });
      }
    }
  }
  return lines;
}
