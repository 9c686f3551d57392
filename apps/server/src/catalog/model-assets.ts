// The files a built-in model serves publicly from its folder: its cover image and its example inputs (only files
// under examples/). Paths from URLs are checked so nothing outside those places can ever be read.
import { realpath, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";

/** Where one built-in model's folder is, and what of it is public. */
export interface ModelAsset {
  folder: string;
  /** The cover file, relative to the folder; null when the model has none. */
  cover: string | null;
  /** Example files are served only for public models. */
  public: boolean;
}

/** "owner/name" → the model's folder; filled by registerBuiltinModels. */
export type ModelAssets = Map<string, ModelAsset>;

export const EXAMPLES_FOLDER = "examples";

const CONTENT_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".wav": "audio/wav",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".flac": "audio/flac",
  ".mp4": "video/mp4",
  ".txt": "text/plain; charset=utf-8",
  ".json": "application/json",
  ".csv": "text/csv; charset=utf-8",
  ".pdf": "application/pdf",
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/**
 * The absolute path of `relative` when it names a regular file inside `folder/<within>` (following symlinks, so a
 * link cannot lead out either); null for anything else: "..", absolute paths, NUL bytes, folders, missing files.
 */
export async function fileInside(folder: string, within: string, relative: string): Promise<{ path: string; size: number } | null> {
  if (relative === "" || relative.includes("\0") || relative.includes("\\")) return null;
  const segments = relative.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return null;
  const base = resolve(folder, within);
  const candidate = resolve(base, relative);
  if (!candidate.startsWith(base + sep)) return null;
  try {
    const [realBase, real] = await Promise.all([realpath(base), realpath(candidate)]);
    if (!real.startsWith(realBase + sep)) return null;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : null;
  } catch {
    return null;
  }
}
