// Decodes the input into RGB pixels for the model (plus its alpha channel, kept aside) and encodes the result
// as PNG. The model only knows colour, so transparency is scaled with Lanczos and joined back afterwards.
import type { RgbImage } from "./tiles.js";

/** The largest input, in pixels: 512 × 512, which ×4 makes a 2048 × 2048 (4 MP) output. */
export const MAX_INPUT_PIXELS = 512 * 512;
/** The longest side an input may have (a 2048 × 128 strip is fine, a 4096 × 64 one is not). */
export const MAX_INPUT_SIDE = 2048;

export interface DecodedImage extends RgbImage {
  /** width × height bytes, or null for an opaque image. */
  alpha: Uint8Array | null;
}

export async function decodeImage(path: string): Promise<DecodedImage> {
  // Imported here, not at the top: the server imports every model module at start only to read its schema.
  // readImageMetadata also caps libvips at one thread before sharp does any work here.
  const [{ default: sharp }, { readImageMetadata }] = await Promise.all([import("sharp"), import("@ferry/model-kit")]);
  const metadata = await readImageMetadata(path);
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width * height > MAX_INPUT_PIXELS || Math.max(width, height) > MAX_INPUT_SIDE) {
    throw new Error(
      `The image is ${width}×${height}; the limit is ${MAX_INPUT_PIXELS.toLocaleString("en")} pixels (512×512) with no side over ${MAX_INPUT_SIDE}: scale it down first`,
    );
  }
  const upright = sharp(path).rotate().toColourspace("srgb");
  const rgb = await upright.clone().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const alpha = metadata.hasAlpha ? await upright.clone().extractChannel("alpha").raw().toBuffer() : null;
  return { width: rgb.info.width, height: rgb.info.height, data: bytes(rgb.data), alpha: alpha && bytes(alpha) };
}

/** PNG of the upscaled colour, with the input's alpha (Lanczos-scaled to the same size) when it had one. */
export async function encodePng(image: RgbImage, alpha: { data: Uint8Array; width: number; height: number } | null): Promise<Buffer> {
  const { default: sharp } = await import("sharp");
  let png = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
  if (alpha) {
    const scaled = await sharp(Buffer.from(alpha.data), { raw: { width: alpha.width, height: alpha.height, channels: 1 } })
      .resize(image.width, image.height, { kernel: "lanczos3", fit: "fill" })
      .raw()
      .toBuffer();
    png = png.joinChannel(scaled, { raw: { width: image.width, height: image.height, channels: 1 } });
  }
  return png.png({ compressionLevel: 6 }).toBuffer();
}

function bytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
