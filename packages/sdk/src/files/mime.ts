// Content types from file names and back, for the formats models commonly take and make (Cog guesses the same way).

const BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  flac: "audio/flac",
  m4a: "audio/mp4",
  aac: "audio/aac",
  mp4: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  mkv: "video/x-matroska",
  avi: "video/x-msvideo",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  css: "text/css",
  js: "text/javascript",
  json: "application/json",
  jsonl: "application/jsonl",
  xml: "application/xml",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  tar: "application/x-tar",
  glb: "model/gltf-binary",
  gltf: "model/gltf+json",
  obj: "model/obj",
  ply: "application/octet-stream",
  safetensors: "application/octet-stream",
  bin: "application/octet-stream",
};

const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** The content type of a file name by its extension; application/octet-stream when unknown. */
export function contentTypeFor(name: string): string {
  const dot = name.lastIndexOf(".");
  if (dot === -1) return DEFAULT_CONTENT_TYPE;
  return BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}

/** The usual extension (with the dot) of a content type, or "" when there is none. */
export function extensionFor(contentType: string): string {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === DEFAULT_CONTENT_TYPE) return "";
  const found = Object.entries(BY_EXTENSION).find(([, value]) => value === type);
  return found === undefined ? "" : `.${found[0]}`;
}
