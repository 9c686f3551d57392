// ferry/pose served by the real SDK server: the default example's three standing people are found with their
// keypoints inside the image, a grey image has nobody, and a non-image fails clearly.
import { describe, expect, it } from "vitest";
import { decodeImage } from "@ferry/model-kit";
import { bytesOf, dataUri, defaultExampleFile, greyPng, serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const EXAMPLE = await defaultExampleFile(new URL("../", import.meta.url), "image");

const served = serveDuringTests(model, { uploadUrl: null, readyWithinMs: 60_000, requestTimeoutMs: 60_000 });

interface Output {
  people: { box: { x: number; y: number; width: number; height: number }; score: number; keypoints: { part: string; x: number; y: number; score: number }[] }[];
  annotated_image: string;
}

describe("ferry/pose", () => {
  it("finds the three people of the default example with keypoints inside the image and in body order", async () => {
    const { width, height } = await decodeImage(EXAMPLE);
    const done = await served.predict({ image: dataUri(EXAMPLE, "image/jpeg") });
    expect(done.status).toBe("succeeded");
    const { people, annotated_image } = done.output as Output;
    expect(people).toHaveLength(3);
    for (const person of people) {
      expect(person.keypoints.length).toBeGreaterThanOrEqual(10);
      for (const k of person.keypoints) {
        expect(k.x).toBeGreaterThanOrEqual(0);
        expect(k.x).toBeLessThanOrEqual(width);
        expect(k.y).toBeGreaterThanOrEqual(0);
        expect(k.y).toBeLessThanOrEqual(height);
      }
      const at = (part: string) => person.keypoints.find((k) => k.part === part);
      // Standing people: the nose is above the shoulders, the shoulders above the hips.
      expect(at("nose")!.y).toBeLessThan(at("leftShoulder")!.y);
      expect(at("leftShoulder")!.y).toBeLessThan(at("leftHip")!.y);
    }
    // Three different people side by side, not one person found three times.
    const centres = people.map((p) => p.box.x + p.box.width / 2).sort((a, b) => a - b);
    expect(centres[1]! - centres[0]!).toBeGreaterThan(width / 8);
    expect(centres[2]! - centres[1]!).toBeGreaterThan(width / 8);
    expect(await decodeImage(bytesOf(annotated_image))).toMatchObject({ width, height });
  });

  it("honours max_people", async () => {
    const done = await served.predict({ image: dataUri(EXAMPLE, "image/jpeg"), max_people: 1 });
    expect((done.output as Output).people).toHaveLength(1);
  });

  it("finds nobody in a plain grey image", async () => {
    const done = await served.predict({ image: dataUri(await greyPng(320, 240), "image/png") });
    expect(done.status).toBe("succeeded");
    expect((done.output as Output).people).toEqual([]);
  });

  it("fails with a clear error for a file that is not an image", async () => {
    const done = await served.predict({ image: dataUri(Buffer.from("just some text"), "text/plain") });
    expect(done).toMatchObject({ status: "failed", error: expect.stringMatching(/^Could not read the image/) });
  });
});
