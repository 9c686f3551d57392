// Reads an uploaded image into the 224 × 224 RGB pixels MobileNetV2 looks at. Scaling with sharp (area-averaged)
// keeps fine detail that a bilinear resize of a large photo would alias away, and the model sees the whole frame
// (squeezed, not cropped) as nsfwjs itself does.

/** Images above this many pixels are refused before they are decoded. */
export const MAX_INPUT_PIXELS = 40_000_000;
export const MODEL_SIZE = 224;

export async function readModelPixels(path: string): Promise<Uint8Array> {
  // Imported here, not at the top: the server imports every model module at start only to read its schema.
  // readImageMetadata also caps libvips at one thread before sharp does any work here.
  const [{ default: sharp }, { readImageMetadata }] = await Promise.all([import("sharp"), import("@ferry/model-kit")]);
  const metadata = await readImageMetadata(path);
  const pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
  if (pixels > MAX_INPUT_PIXELS) {
    throw new Error(`The image is ${metadata.width}×${metadata.height} (${(pixels / 1e6).toFixed(1)} MP); the limit is ${MAX_INPUT_PIXELS / 1e6} MP`);
  }
  const { data } = await sharp(path, { limitInputPixels: MAX_INPUT_PIXELS })
    .rotate()
    .flatten({ background: "#ffffff" })
    .resize({ width: MODEL_SIZE, height: MODEL_SIZE, fit: "fill" })
    .removeAlpha()
    .toColourspace("srgb")
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
