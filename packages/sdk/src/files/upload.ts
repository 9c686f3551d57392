// Publishes one output file: with an upload URL (Cog's --upload-url contract, cog-protocol §1.10) the bytes are
// PUT to `<upload url><name>` with X-Prediction-ID, and the answer's Location (else the request URL) is what the
// output carries; without one the file becomes a data: URI, as Cog does by default.
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { basename } from "node:path";

/** Statuses worth another try (Cog retries the same). */
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const ATTEMPTS = 3;
const RETRY_DELAY_MS = 250;

export interface PublishTarget {
  /** Where output files go (ends in "/"), or null for data: URIs. */
  uploadUrl: string | null;
  predictionId: string;
}

/** The URL an output file is known by from now on. Rejects with "The output file could not be uploaded: …". */
export async function publishFile(path: string, contentType: string, target: PublishTarget): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) throw new Error(`The model returned a file that does not exist: ${path}`);
  if (target.uploadUrl === null) {
    return `data:${contentType};base64,${(await readFile(path)).toString("base64")}`;
  }
  const url = new URL(encodeURIComponent(basename(path)), target.uploadUrl);
  let problem = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * (attempt - 1)));
    try {
      const { status, location } = await put(url, path, info.size, contentType, target.predictionId);
      if (status >= 200 && status < 300) return location === undefined ? url.href : new URL(location, url).href;
      problem = `the upload URL answered HTTP ${status}`;
      if (!RETRYABLE.has(status)) break;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
  }
  throw new Error(`The output file could not be uploaded: ${problem}`);
}

function put(url: URL, path: string, size: number, contentType: string, predictionId: string): Promise<{ status: number; location: string | undefined }> {
  const request = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "PUT",
      headers: { "content-type": contentType, "content-length": String(size), "x-prediction-id": predictionId },
    });
    req.once("error", reject);
    req.once("response", (res) => {
      res.resume();
      res.once("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
      res.once("error", reject);
    });
    const body = createReadStream(path);
    body.once("error", (error) => req.destroy(error));
    body.pipe(req);
  });
}
