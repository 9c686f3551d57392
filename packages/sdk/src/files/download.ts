// Downloads one file input (an http(s) URL or a data: URI) into a folder of the prediction, within a size and a
// time limit, keeping the server's file name and content type. Which addresses may be fetched is the runner's
// business: it hands instances its own 127.0.0.1 copies (an SDK instance served on its own fetches any URL, as Cog does).
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { httpGet } from "./http-get.js";
import { extensionFor } from "./mime.js";

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
  /** The prediction's cancel signal. */
  signal: AbortSignal;
}

export interface Downloaded {
  path: string;
  contentType: string;
}

const DEFAULT_CONTENT_TYPE = "application/octet-stream";
const MAX_NAME_BYTES = 200;

/** Saves `url` as `<dir>/<name>` (`dir` exists: the caller made it); rejects with "The input file could not be fetched: …". */
export async function downloadInput(url: string, dir: string, limits: DownloadLimits): Promise<Downloaded> {
  const fail = (reason: string) => new Error(`The input file could not be fetched: ${describe(url)}: ${reason}`);
  const tooLarge = () => fail(`it is larger than the ${limits.maxBytes} byte limit for input files`);
  if (url.startsWith("data:")) {
    const { bytes, contentType } = decodeDataUri(url) ?? {};
    if (bytes === undefined || contentType === undefined) throw fail("it is not a valid data: URI");
    if (bytes.length > limits.maxBytes) throw tooLarge();
    const path = join(dir, `input${extensionFor(contentType)}`);
    await writeFile(path, bytes);
    return { path, contentType };
  }
  if (!/^https?:\/\//i.test(url)) throw fail("only http, https and data URLs are accepted for files");
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = AbortSignal.any([timeout, limits.signal]);
  try {
    const { response, url: answeredBy } = await httpGet(url, signal);
    if (response.statusCode !== 200) {
      response.resume();
      throw fail(`the server answered HTTP ${response.statusCode ?? 0}`);
    }
    if (Number(response.headers["content-length"] ?? "0") > limits.maxBytes) {
      response.destroy();
      throw tooLarge();
    }
    const contentType = response.headers["content-type"]?.trim() || DEFAULT_CONTENT_TYPE;
    const name = safeName(dispositionName(response.headers["content-disposition"] ?? null) ?? lastSegment(answeredBy)) || `input${extensionFor(contentType)}`;
    const path = join(dir, name);
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(size > limits.maxBytes ? tooLarge() : null, chunk);
      },
    });
    await pipeline(response, counter, createWriteStream(path), { signal });
    return { path, contentType };
  } catch (error) {
    if (timeout.aborted) throw fail(`it took longer than ${limits.timeoutMs / 1000} s to download`);
    if (error instanceof Error && error.message.startsWith("The input file could not be fetched")) throw error;
    throw fail(error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error));
  }
}

/** The bytes and content type of a data: URI, or null when it is malformed. */
export function decodeDataUri(uri: string): { bytes: Buffer; contentType: string } | null {
  const comma = uri.indexOf(",");
  if (!uri.startsWith("data:") || comma === -1) return null;
  const meta = uri.slice(5, comma);
  const data = uri.slice(comma + 1);
  const base64 = /;base64$/i.test(meta);
  const contentType = (base64 ? meta.slice(0, -7) : meta) || "text/plain;charset=US-ASCII";
  if (base64) return { bytes: Buffer.from(data, "base64"), contentType };
  const bytes: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const hex = data.slice(i + 1, i + 3);
    if (data[i] === "%" && /^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(data[i] ?? "", "utf8"));
  }
  return { bytes: Buffer.from(bytes), contentType };
}

/** A file name safe to create: no separators, control characters or leading dots; "" when nothing is left. */
export function safeName(raw: string): string {
  let name = raw.replace(/[\p{Cc}/\\:*?"<>|]/gu, "_").replace(/^[.\s]+/, "").trim();
  while (Buffer.byteLength(name, "utf8") > MAX_NAME_BYTES) name = name.slice(1);
  return name;
}

function dispositionName(header: string | null): string | null {
  if (header === null) return null;
  const extended = /filename\*\s*=\s*[^']*'[^']*'([^;]+)/i.exec(header);
  if (extended?.[1] !== undefined) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // fall back to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
  return plain?.[1]?.replace(/\\(.)/g, "$1") ?? plain?.[2] ?? null;
}

function lastSegment(url: string): string {
  try {
    const segment = new URL(url).pathname.split("/").filter((part) => part !== "").at(-1) ?? "";
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}

/** The URL without its query (which may carry a signature), or "a data: URI". */
function describe(url: string): string {
  if (url.startsWith("data:")) return "a data: URI";
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "an invalid URL";
  }
}
