// ferry/ocr: printed-text recognition with Tesseract 5 (tesseract.js, LSTM "best_int" English weights from the
// installed @tesseract.js-data/eng package). One worker thread, created in setup and reused for every prediction.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { z } from "zod";
import { defineModel, inputs } from "@ferry/sdk";
import type { Worker } from "tesseract.js";
import { pageLines, type OcrLine } from "./page-lines.js";

/** Larger images are refused before decoding (8000 × 5000). */
const MAX_INPUT_PIXELS = 40_000_000;
/** The longest side recognition works on: 300 dpi text stays legible at 4000 px across an A4 page. */
const MAX_RECOGNITION_SIDE = 4000;

/** Page segmentation modes worth offering, by name, with Tesseract's number for each. */
const PAGE_SEGMENTATION = {
  auto: "3",
  single_column: "4",
  single_block: "6",
  single_line: "7",
  single_word: "8",
  sparse_text: "11",
} as const;

const bbox = z.object({ x0: z.number().int(), y0: z.number().int(), x1: z.number().int(), y1: z.number().int() });

let worker: Worker | null = null;

export default defineModel({
  input: z.object({
    image: inputs.file().describe("An image of printed text: PNG, JPEG, WebP, TIFF or GIF, at most 40 megapixels"),
    psm: z
      .enum(Object.keys(PAGE_SEGMENTATION) as [keyof typeof PAGE_SEGMENTATION, ...(keyof typeof PAGE_SEGMENTATION)[]])
      .default("auto")
      .describe(
        "How the page is laid out: auto (Tesseract's mode 3), single_column (4), single_block (6), single_line (7), single_word (8), sparse_text (11: as much text as possible, in no order)",
      ),
  }),
  output: z.object({
    text: z.string(),
    confidence: z.number(),
    lines: z.array(z.object({ text: z.string(), confidence: z.number(), bbox })),
  }),
  async setup(ctx) {
    // A CommonJS module: its exports object is the default export.
    const tesseract = (await import("tesseract.js")).default;
    const require = createRequire(import.meta.url);
    const langPath = join(dirname(require.resolve("@tesseract.js-data/eng/package.json")), "4.0.0_best_int");
    // langPath points at the installed package: without it tesseract.js fetches from a CDN. cacheMethod "none"
    // keeps it from writing a copy of the weights into the working directory.
    worker = await tesseract.createWorker("eng", tesseract.OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: "none" });
    ctx.log(`tesseract.js ready (eng, LSTM best_int, ${langPath})`);
  },
  async predict(input, ctx) {
    if (!worker) throw new Error("ferry/ocr: setup has not run");
    // Imported here, not at the top: the server imports every model module at start only to read its schema.
    const { decodeImage, encodeImage } = await import("@ferry/model-kit");
    // Decoded by sharp (any format it reads, EXIF-rotated, alpha flattened onto white), then handed to
    // tesseract as a PNG it is sure to read.
    const page = await decodeImage(input.image, { maxPixels: MAX_INPUT_PIXELS, maxSide: MAX_RECOGNITION_SIDE });
    if (page.scale !== 1) ctx.log(`downscaled ${page.originalWidth}×${page.originalHeight} to ${page.width}×${page.height} for recognition`);
    const png = await encodeImage(page, "png");
    await worker.setParameters({ tessedit_pageseg_mode: PAGE_SEGMENTATION[input.psm] as never });
    const { data } = await worker.recognize(png, {}, { text: true, blocks: true });
    const lines: OcrLine[] = pageLines(data, page);
    return { text: data.text, confidence: round(data.confidence), lines };
  },
});

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Stops the worker thread (tests call it; an instance process simply exits). */
export async function terminateOcr(): Promise<void> {
  const current = worker;
  worker = null;
  await current?.terminate();
}
