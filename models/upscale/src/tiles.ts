// Runs a super-resolution model over an image tile by tile. One pass over a large image needs memory in
// proportion to its area times the model's 64 feature channels (hundreds of MB at 512 × 512), so tiles of
// TILE px are upscaled one at a time. Each tile is fed with OVERLAP px of its neighbours around it and only its
// own centre is kept: the convolutions near a tile's edge then see the same pixels as in one whole-image pass,
// so no seams appear.
import type { Tf } from "@ferry/model-kit";
import type { EsrganModel } from "./esrgan-models.js";

export const TILE = 128;
export const OVERLAP = 16;

export interface RgbImage {
  width: number;
  height: number;
  /** width × height × 3 bytes, row by row. */
  data: Uint8Array;
}

export async function upscaleTiled(tf: Tf, esrgan: EsrganModel, image: RgbImage, signal?: AbortSignal): Promise<RgbImage> {
  const { width, height } = image;
  const s = esrgan.scale;
  const out = new Uint8ClampedArray(width * s * height * s * 3);
  const whole = tf.tensor3d(image.data, [height, width, 3], "float32");
  try {
    for (let ty = 0; ty < height; ty += TILE) {
      for (let tx = 0; tx < width; tx += TILE) {
        signal?.throwIfAborted();
        const th = Math.min(TILE, height - ty);
        const tw = Math.min(TILE, width - tx);
        const y0 = Math.max(0, ty - OVERLAP);
        const x0 = Math.max(0, tx - OVERLAP);
        const y1 = Math.min(height, ty + th + OVERLAP);
        const x1 = Math.min(width, tx + tw + OVERLAP);
        const tile = tf.tidy(() => {
          const input = toRange(tf, whole.slice([y0, x0, 0], [y1 - y0, x1 - x0, 3]), [0, 255], esrgan.inputRange).expandDims(0);
          const output = esrgan.model.predict(input) as ReturnType<Tf["tensor4d"]>;
          const centre = output.slice([0, (ty - y0) * s, (tx - x0) * s, 0], [1, th * s, tw * s, 3]);
          return toRange(tf, centre, esrgan.outputRange, [0, 255]);
        });
        const pixels = await tile.data();
        tile.dispose();
        const rowLength = tw * s * 3;
        for (let row = 0; row < th * s; row++) {
          // Uint8ClampedArray rounds and clamps the model's float output to 0..255 as it copies.
          out.set(pixels.subarray(row * rowLength, (row + 1) * rowLength), ((ty * s + row) * width * s + tx * s) * 3);
        }
      }
    }
  } finally {
    whole.dispose();
  }
  return { width: width * s, height: height * s, data: new Uint8Array(out.buffer) };
}

/** Maps values linearly from one range to another (identity when they are equal). */
function toRange<T extends ReturnType<Tf["tensor"]>>(tf: Tf, x: T, from: [number, number], to: [number, number]): T {
  if (from[0] === to[0] && from[1] === to[1]) return x;
  const factor = (to[1] - to[0]) / (from[1] - from[0]);
  return tf.add(tf.mul(tf.sub(x, from[0]), factor), to[0]) as T;
}
