// ferry/ocr served by the real SDK server with the real tesseract.js worker: the default example's drawn words
// come back with high confidence and line boxes where they were drawn; a file that is no image fails clearly.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataUri, defaultExampleFile, serveForTest, type ModelUnderTest } from "@ferry/model-kit/testing";
import model, { terminateOcr } from "../src/predict.js";

const folder = new URL("../", import.meta.url);
let served: ModelUnderTest;

beforeAll(async () => {
  served = await serveForTest(model, { uploadUrl: null, readyWithinMs: 60_000, requestTimeoutMs: 60_000 });
});
afterAll(async () => {
  await served?.close();
  await terminateOcr();
});

interface OcrOutput {
  text: string;
  confidence: number;
  lines: { text: string; confidence: number; bbox: { x0: number; y0: number; x1: number; y1: number } }[];
}

describe("ferry/ocr", () => {
  it("reads the default example's words with confidence above 80, one line per drawn line", async () => {
    const done = await served.predict({ image: dataUri(await defaultExampleFile(folder, "image"), "image/png") });
    expect(done.status, String(done.error)).toBe("succeeded");
    const output = done.output as OcrOutput;
    expect(output.text).toContain("Ferry runs models offline");
    expect(output.text).toContain("Replicate-compatible API on your own machine");
    expect(output.confidence).toBeGreaterThan(80);
    expect(output.lines.map((line) => line.text)).toEqual([
      "Ferry runs models offline",
      "Replicate-compatible API on your own machine",
      expect.stringContaining("42.50 EUR"),
    ]);
    // The first line was drawn at x = 40 with its baseline at y = 70 on a 900 × 260 image.
    const first = output.lines[0]!.bbox;
    expect(first.x0).toBeGreaterThanOrEqual(30);
    expect(first.x0).toBeLessThanOrEqual(50);
    expect(first.y1).toBeGreaterThan(60);
    expect(first.y1).toBeLessThan(90);
  });

  it("reads a strip of one line as a single line when asked to (psm single_line)", async () => {
    // The second drawn line, cut out as a JPEG: another format, and a layout only single_line mode assumes.
    const strip = await sharp(new URL("examples/note.png", folder).pathname).extract({ left: 0, top: 95, width: 900, height: 50 }).jpeg().toBuffer();
    const done = await served.predict({ image: dataUri(strip, "image/jpeg"), psm: "single_line" });
    expect(done.status, String(done.error)).toBe("succeeded");
    const output = done.output as OcrOutput;
    expect(output.lines.map((line) => line.text)).toEqual(["Replicate-compatible API on your own machine"]);
    expect(output.confidence).toBeGreaterThan(80);
  });

  it("scales a page wider than 4000 px down for recognition and gives the boxes in the input's pixels", async () => {
    const wide = await sharp(new URL("examples/note.png", folder).pathname).resize(4500, 1300).png().toBuffer();
    const done = await served.predict({ image: dataUri(wide, "image/png") });
    expect(done.status, String(done.error)).toBe("succeeded");
    expect(done.logs).toContain("downscaled 4500×1300 to 4000×1156");
    const output = done.output as OcrOutput;
    expect(output.text).toContain("Ferry runs models offline");
    // Five times the example's size: the first line's left edge, near x = 40 there, is near x = 200 here.
    const first = output.lines[0]!.bbox;
    expect(first.x0).toBeGreaterThan(150);
    expect(first.x0).toBeLessThan(250);
    expect(first.x1).toBeGreaterThan(3000);
    expect(first.x1).toBeLessThanOrEqual(4500);
  });

  it("fails a prediction whose file is not an image, saying so", async () => {
    const done = await served.predict({ image: dataUri(Buffer.from("not an image at all"), "image/png") });
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/Could not read the image/);
  });

  it("rejects an unknown page segmentation mode before running", async () => {
    const res = await served.post({ input: { image: dataUri(await defaultExampleFile(folder, "image"), "image/png"), psm: "diagonal" } });
    expect(res.status).toBe(422);
  });
});
