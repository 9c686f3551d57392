// ferry/face-analysis served by the real SDK server: the default example's five faces are found with boxes inside
// the image, a plain grey image has none, embeddings come only when asked, and a non-image fails clearly.
import { describe, expect, it } from "vitest";
import { decodeImage } from "@ferry/model-kit";
import { bytesOf, dataUri, defaultExampleFile, greyPng, serveDuringTests } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const EXAMPLE = await defaultExampleFile(new URL("../", import.meta.url), "image");

interface Face {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  age: number;
  gender: string;
  gender_score: number;
  emotion: { label: string; score: number };
  embedding?: number[];
}
interface Output {
  faces: Face[];
  annotated_image: string;
}

const served = serveDuringTests(model, { uploadUrl: null, readyWithinMs: 60_000, requestTimeoutMs: 60_000 });

describe("ferry/face-analysis", () => {
  it("finds the five faces of the default example, boxed inside the image and left to right distinct", async () => {
    const { width, height } = await decodeImage(EXAMPLE);
    const done = await served.predict({ image: dataUri(EXAMPLE, "image/jpeg") });
    expect(done.status).toBe("succeeded");
    const output = done.output as Output;
    expect(output.faces).toHaveLength(5);
    for (const face of output.faces) {
      expect(face.score).toBeGreaterThan(0.5);
      expect(face.box.x).toBeGreaterThanOrEqual(0);
      expect(face.box.x + face.box.width).toBeLessThanOrEqual(width);
      expect(face.box.y + face.box.height).toBeLessThanOrEqual(height);
      expect(face.box.width).toBeGreaterThan(50);
      expect(face.age).toBeGreaterThan(10);
      expect(face.embedding).toBeUndefined();
    }
    // One face per photo of the strip: no two boxes start in the same 160-pixel column.
    expect(new Set(output.faces.map((f) => Math.floor((f.box.x + f.box.width / 2) / 160))).size).toBe(5);
    // The one man (leftmost photo) is told apart from the four women.
    const leftmost = [...output.faces].sort((a, b) => a.box.x - b.box.x)[0]!;
    expect(leftmost.gender).toBe("male");
    const annotated = await decodeImage(bytesOf(output.annotated_image));
    expect(output.annotated_image).toMatch(/^data:image\/jpeg;base64,/);
    expect(annotated).toMatchObject({ width, height });
  });

  it("returns 1024-number embeddings only when asked, and honours max_faces", async () => {
    const done = await served.predict({ image: dataUri(EXAMPLE, "image/jpeg"), max_faces: 2, return_embedding: true });
    const output = done.output as Output;
    expect(output.faces).toHaveLength(2);
    expect(output.faces[0]!.embedding).toHaveLength(1024);
  });

  it("finds no face in a plain grey image", async () => {
    const done = await served.predict({ image: dataUri(await greyPng(320, 240), "image/png") });
    expect(done.status).toBe("succeeded");
    expect((done.output as Output).faces).toEqual([]);
  });

  it("fails with a clear error for a file that is not an image", async () => {
    const done = await served.predict({ image: dataUri(Buffer.from("just some text"), "text/plain") });
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/^Could not read the image/);
  });

  it("rejects max_faces out of range before running", async () => {
    const res = await served.post({ input: { image: "data:image/png;base64,AA==", max_faces: 21 } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ detail: [{ loc: ["body", "input", "max_faces"] }] });
  });
});
