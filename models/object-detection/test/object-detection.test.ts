// ferry/object-detection served by the real SDK server: the default example's person and cup are found inside
// the image, min_confidence filters, a grey image has nothing, and a non-image fails clearly.
import { describe, expect, it } from "vitest";
import { decodeImage } from "@ferry/model-kit";
import { bytesOf, dataUri, defaultExampleFile, greyPng, serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const EXAMPLE = await defaultExampleFile(new URL("../", import.meta.url), "image");

const served = serveDuringTests(model, { uploadUrl: null, readyWithinMs: 60_000, requestTimeoutMs: 60_000 });

interface Output {
  objects: { label: string; score: number; box: { x: number; y: number; width: number; height: number } }[];
  annotated_image: string;
}

describe("ferry/object-detection", () => {
  it("finds the person and the cup of the default example, boxed inside the image", async () => {
    const { width, height } = await decodeImage(EXAMPLE);
    const done = await served.predict({ image: dataUri(EXAMPLE, "image/jpeg") });
    expect(done.status).toBe("succeeded");
    const { objects, annotated_image } = done.output as Output;
    expect(objects.map((o) => o.label)).toEqual(expect.arrayContaining(["person", "cup"]));
    for (const o of objects) {
      expect(o.score).toBeGreaterThanOrEqual(0.3);
      expect(o.box.x + o.box.width).toBeLessThanOrEqual(width);
      expect(o.box.y + o.box.height).toBeLessThanOrEqual(height);
    }
    // The person is the large box; the cup is a small one.
    const person = objects.find((o) => o.label === "person")!;
    const cup = objects.find((o) => o.label === "cup")!;
    expect(person.box.width * person.box.height).toBeGreaterThan(4 * cup.box.width * cup.box.height);
    expect(await decodeImage(bytesOf(annotated_image))).toMatchObject({ width, height });
  });

  it("keeps only objects at or above min_confidence, and at most max_objects", async () => {
    const low = (await served.predict({ image: dataUri(EXAMPLE, "image/jpeg"), min_confidence: 0.1, max_objects: 50 })).output as Output;
    const high = (await served.predict({ image: dataUri(EXAMPLE, "image/jpeg"), min_confidence: 0.6 })).output as Output;
    expect(low.objects.length).toBeGreaterThan(high.objects.length);
    expect(high.objects.every((o) => o.score >= 0.6)).toBe(true);
    const one = (await served.predict({ image: dataUri(EXAMPLE, "image/jpeg"), min_confidence: 0.1, max_objects: 1 })).output as Output;
    expect(one.objects).toHaveLength(1);
  });

  it("finds nothing in a plain grey image", async () => {
    const done = await served.predict({ image: dataUri(await greyPng(320, 240), "image/png") });
    expect(done.status).toBe("succeeded");
    expect((done.output as Output).objects).toEqual([]);
  });

  it("fails with a clear error for a file that is not an image", async () => {
    const done = await served.predict({ image: dataUri(Buffer.from("just some text"), "text/plain") });
    expect(done).toMatchObject({ status: "failed", error: expect.stringMatching(/^Could not read the image/) });
  });
});
