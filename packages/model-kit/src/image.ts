// Image helpers for models: decode any image sharp reads into raw RGB (with a size guard and an optional
// downscale), encode raw pixels to PNG/JPEG/WebP, and draw boxes, points, lines and labels over an image.
import sharp, { type Metadata, type Sharp, type SharpOptions } from "sharp";

/**
 * Two cores are shared by a model's inference and its image work, so libvips gets one thread. Set on first use
 * rather than at import, so that merely importing this module (as the server does to read schemas) changes nothing.
 */
let threadsCapped = false;
function sharpFor(input: string | Buffer, options?: SharpOptions): Sharp {
  if (!threadsCapped) {
    sharp.concurrency(1);
    threadsCapped = true;
  }
  return sharp(input, options);
}

/** Raised for an input image that cannot be used; its message is meant for the caller of the model. */
export class ImageInputError extends Error {
  override readonly name = "ImageInputError";
}

/** Raw interleaved pixels, row by row. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** A decoded image: RGB pixels plus how they relate to the input as it was given. */
export interface RgbImage extends RawImage {
  channels: 3;
  /** Size of the input after applying its EXIF orientation, before any downscale. */
  originalWidth: number;
  originalHeight: number;
  /** width / originalWidth: multiply input coordinates by it, divide decoded coordinates by it. */
  scale: number;
}

export interface DecodeOptions {
  /** Reject inputs with more pixels than this (checked before decoding). Default 40 MP. */
  maxPixels?: number;
  /** Downscale so that neither side exceeds this, keeping the aspect ratio. Default: no downscale. */
  maxSide?: number;
}

export const DEFAULT_MAX_PIXELS = 40_000_000;

/** The formats sharp reads here, for error messages. */
const READABLE = "PNG, JPEG, WebP, GIF, TIFF, AVIF or SVG";

/**
 * Decodes a file path or bytes into 8-bit RGB. EXIF orientation is applied, transparency is flattened onto white
 * (so a cut-out subject is seen against a neutral background) and only the first frame of an animation is read.
 */
export async function decodeImage(input: string | Buffer, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const meta = await readImageMetadata(input);
  const { width, height } = meta;
  if (!width || !height) throw new ImageInputError(`Could not read the image size; expected ${READABLE}`);
  if (width * height > maxPixels) {
    throw new ImageInputError(
      `The image is ${width}×${height} (${megapixels(width * height)} MP); the limit is ${megapixels(maxPixels)} MP`,
    );
  }
  const { width: originalWidth, height: originalHeight } = orientedSize(meta);
  let pipeline = sharpFor(input, { limitInputPixels: false }).rotate().flatten({ background: "#ffffff" });
  if (options.maxSide !== undefined && Math.max(originalWidth, originalHeight) > options.maxSide) {
    pipeline = pipeline.resize({ width: options.maxSide, height: options.maxSide, fit: "inside", withoutEnlargement: true });
  }
  try {
    const { data, info } = await pipeline.toColourspace("srgb").removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data, width: info.width, height: info.height, channels: 3, originalWidth, originalHeight, scale: info.width / originalWidth };
  } catch (err) {
    throw new ImageInputError(`Could not decode the image (${reason(err)})`);
  }
}

/**
 * Reads an image's header (size, format, alpha, orientation) without decoding its pixels. No pixel limit applies
 * here: callers check their own with a clearer message than libvips gives. An input sharp cannot read throws an
 * ImageInputError naming the readable formats.
 */
export async function readImageMetadata(input: string | Buffer): Promise<Metadata> {
  try {
    return await sharpFor(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageInputError(`Could not read the image (${reason(err)}); expected ${READABLE}`);
  }
}

/** A box in the input image's pixels. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Maps an `[x, y, width, height]` box found on a decoded (possibly downscaled) image back to the input image's
 * pixels, clipped to the image and rounded to whole pixels.
 */
export function boxToInput(box: readonly number[], image: RgbImage): PixelBox {
  const [x = 0, y = 0, width = 0, height = 0] = box;
  const left = Math.min(image.originalWidth, Math.max(0, x / image.scale));
  const top = Math.min(image.originalHeight, Math.max(0, y / image.scale));
  const right = Math.min(image.originalWidth, Math.max(left, (x + width) / image.scale));
  const bottom = Math.min(image.originalHeight, Math.max(top, (y + height) / image.scale));
  return { x: Math.round(left), y: Math.round(top), width: Math.round(right - left), height: Math.round(bottom - top) };
}

/** Maps a point found on a decoded image back to the input image's pixels (one decimal). */
export function pointToInput(x: number, y: number, image: RgbImage): { x: number; y: number } {
  const clamp = (v: number, max: number) => Math.round(Math.min(max, Math.max(0, v)) * 10) / 10;
  return { x: clamp(x / image.scale, image.originalWidth), y: clamp(y / image.scale, image.originalHeight) };
}

/** An encoded image read back as it is: its format and its raw pixels with their own channels (alpha kept). */
export interface DecodedAsIs extends RawImage {
  format: string;
  hasAlpha: boolean;
}

/** Reads an image without converting it: grey stays one channel, RGBA keeps its alpha. For checking outputs. */
export async function readImageAsIs(input: string | Buffer): Promise<DecodedAsIs> {
  const meta = await sharpFor(input).metadata();
  // Extracting the one band keeps libvips from turning a grey image into sRGB on the way out.
  const pipeline = meta.channels === 1 ? sharpFor(input).extractChannel(0) : sharpFor(input);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { format: meta.format ?? "unknown", hasAlpha: meta.hasAlpha ?? false, data, width: info.width, height: info.height, channels: info.channels as RawImage["channels"] };
}

export type ImageFormat = "png" | "jpeg" | "webp";

/** Encodes raw pixels (RGB, RGBA, grey or grey+alpha). Quality applies to JPEG and WebP (default 90). */
export async function encodeImage(image: RawImage, format: ImageFormat, options: { quality?: number } = {}): Promise<Buffer> {
  const quality = options.quality ?? 90;
  const pipeline = sharpFor(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
  switch (format) {
    case "png":
      return pipeline.png({ compressionLevel: 6 }).toBuffer();
    case "jpeg":
      return pipeline.jpeg({ quality, mozjpeg: true }).toBuffer();
    case "webp":
      return pipeline.webp({ quality, alphaQuality: 100 }).toBuffer();
  }
}

/** One thing to draw, in the image's pixel coordinates. */
export type Annotation =
  | { kind: "box"; x: number; y: number; width: number; height: number; label?: string; color?: string }
  | { kind: "point"; x: number; y: number; radius?: number; color?: string }
  | { kind: "line"; x1: number; y1: number; x2: number; y2: number; color?: string };

/** A palette that stays readable on photos; pick with paletteColor(i). */
const PALETTE = ["#00e676", "#ff4081", "#40c4ff", "#ffd740", "#e040fb", "#ff6e40", "#b2ff59", "#18ffff"];

export function paletteColor(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length] as string;
}

/** An SVG of the annotations, sized to the image; stroke widths and fonts scale with the image. */
export function annotationSvg(width: number, height: number, annotations: readonly Annotation[]): string {
  const unit = Math.max(1, Math.round(Math.max(width, height) / 640));
  const stroke = 2 * unit;
  const font = 12 * unit + 1;
  const parts: string[] = [];
  for (const a of annotations) {
    const color = escapeXml(a.color ?? PALETTE[0]!);
    if (a.kind === "box") {
      parts.push(
        `<rect x="${n(a.x)}" y="${n(a.y)}" width="${n(a.width)}" height="${n(a.height)}" fill="none" stroke="${color}" stroke-width="${stroke}"/>`,
      );
      if (a.label) {
        // The label sits above the box, or inside its top edge when the box touches the top of the image.
        const labelHeight = font + 4 * unit;
        const labelWidth = Math.ceil(a.label.length * font * 0.62) + 6 * unit;
        const top = a.y - labelHeight >= 0 ? a.y - labelHeight : a.y;
        const left = Math.min(Math.max(0, a.x), Math.max(0, width - labelWidth));
        parts.push(`<rect x="${n(left)}" y="${n(top)}" width="${labelWidth}" height="${labelHeight}" fill="${color}"/>`);
        parts.push(
          `<text x="${n(left + 3 * unit)}" y="${n(top + labelHeight - 3 * unit)}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="${font}" fill="#000">${escapeXml(a.label)}</text>`,
        );
      }
    } else if (a.kind === "point") {
      parts.push(`<circle cx="${n(a.x)}" cy="${n(a.y)}" r="${n(a.radius ?? 2.5 * unit)}" fill="${color}" stroke="#000" stroke-width="${unit / 2}"/>`);
    } else {
      parts.push(
        `<line x1="${n(a.x1)}" y1="${n(a.y1)}" x2="${n(a.x2)}" y2="${n(a.y2)}" stroke="${color}" stroke-width="${stroke}" stroke-linecap="round"/>`,
      );
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`;
}

/** Draws the annotations over an RGB image and encodes the result (JPEG by default: photos stay small). */
export async function annotateImage(
  image: RawImage,
  annotations: readonly Annotation[],
  options: { format?: ImageFormat; quality?: number } = {},
): Promise<Buffer> {
  const overlay = Buffer.from(annotationSvg(image.width, image.height, annotations));
  const composed = await sharpFor(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .composite([{ input: overlay, top: 0, left: 0 }])
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = composed.info.channels as RawImage["channels"];
  return encodeImage({ data: composed.data, width: composed.info.width, height: composed.info.height, channels }, options.format ?? "jpeg", {
    quality: options.quality ?? 85,
  });
}

/**
 * Applies a one-channel mask (0 = remove … 255 = keep), computed at any size, to the input image at its full
 * original size: the mask is scaled up to the (EXIF-oriented) input and becomes its alpha channel. With
 * `maskOnly` the scaled mask itself is encoded as a grey image instead. PNG keeps it lossless; WebP keeps
 * the alpha exact and the colours at high quality.
 */
export async function applyMask(
  input: string | Buffer,
  mask: { data: Uint8Array; width: number; height: number },
  options: { format: "png" | "webp"; maskOnly?: boolean },
): Promise<{ bytes: Buffer; width: number; height: number }> {
  const meta = await sharpFor(input, { limitInputPixels: false }).metadata();
  if (!meta.width || !meta.height) throw new ImageInputError("Could not read the image size");
  const { width, height } = orientedSize(meta);
  const alpha = await sharpFor(Buffer.from(mask.data.buffer, mask.data.byteOffset, mask.data.byteLength), {
    raw: { width: mask.width, height: mask.height, channels: 1 },
  })
    // Linear, as the mask's own upsampling inside the model: cubic kernels ring around hard edges.
    .resize({ width, height, fit: "fill", kernel: "linear" })
    // Without it libvips hands back three (sRGB) channels for a one-channel raw input.
    .extractChannel(0)
    .raw()
    .toBuffer();
  const encode = (image: Sharp) =>
    options.format === "png" ? image.png({ compressionLevel: 6 }).toBuffer() : image.webp({ quality: 90, alphaQuality: 100 }).toBuffer();
  if (options.maskOnly) {
    return { bytes: await encode(sharpFor(alpha, { raw: { width, height, channels: 1 } }).toColourspace("b-w")), width, height };
  }
  const rgb = await sharpFor(input, { limitInputPixels: false }).rotate().flatten({ background: "#ffffff" }).toColourspace("srgb").removeAlpha().raw().toBuffer();
  const rgba = sharpFor(rgb, { raw: { width, height, channels: 3 } }).joinChannel(alpha, { raw: { width, height, channels: 1 } });
  return { bytes: await encode(rgba), width, height };
}

/** The size an image shows at once its EXIF orientation is applied (orientations 5–8 swap the sides). */
function orientedSize(meta: Metadata): { width: number; height: number } {
  const turned = (meta.orientation ?? 1) >= 5;
  return turned ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
}

function n(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : "0";
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string);
}

function megapixels(pixels: number): string {
  return (pixels / 1_000_000).toFixed(1);
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message.split("\n")[0]!.trim() : String(err);
}
