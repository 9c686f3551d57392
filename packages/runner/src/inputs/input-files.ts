// Before a prediction is dispatched, every file input that is an http(s) URL is fetched by the runner (under the
// address policy and the limits) and re-served to the instance from the runner's own 127.0.0.1 server, at an
// unguessable path that lives as long as the prediction. data: URIs pass through when they are within the limit.
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "@ferry/core";
import { createAddressPolicy } from "./address-policy.js";
import { dataUriSize } from "./data-uri.js";
import { FetchFailure, fetchInput, sizeText } from "./fetch-input.js";
import type { FetchedFile } from "./fetch-input.js";
import { describeUrl } from "./file-names.js";

/** How a runner fetches input files. */
export interface InputFileOptions {
  /** Largest input file, in bytes (FERRY_MAX_INPUT_BYTES). Default 100 MiB. */
  maxBytes?: number;
  /** Longest a download may take (FERRY_INPUT_TIMEOUT). Default 60 000 ms. */
  timeoutMs?: number;
  /** Host names, IP addresses and CIDRs fetched from even if private or loopback (FERRY_ALLOWED_INPUT_HOSTS). */
  allowedHosts?: string[];
  /** URL prefixes of the operator's own server (`<public>/v1/files/`): fetched whatever their address. */
  trustedUrlPrefixes?: string[];
  /** Where downloads are kept while their prediction runs. Default: the OS temp folder. */
  tmpDir?: string;
}

export const DEFAULT_MAX_INPUT_BYTES = 100 * 1024 * 1024;
export const DEFAULT_INPUT_TIMEOUT_MS = 60_000;

/** The input an instance gets, and how to let go of the files behind it once the prediction is over. */
export interface PreparedInput {
  input: Record<string, unknown>;
  release(): void;
}

export interface InputFiles {
  /** Fetches the file inputs among `names`; rejects with a user-facing "The input file could not be fetched: …". */
  prepare(predictionId: string, input: Record<string, unknown>, names: readonly string[]): Promise<PreparedInput>;
  /** Serves `GET /inputs/<token>/<name>`; false when the request is not for this route. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

const ROUTE = /^\/inputs\/([A-Za-z0-9_-]+)\/[^/]*$/;
const NOTHING_TO_RELEASE = (): void => {};

/** `baseUrl` is the runner's own server (`http://127.0.0.1:<port>`), known once it listens. */
export function createInputFiles(options: InputFileOptions, baseUrl: () => string, log: Logger): InputFiles {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_INPUT_TIMEOUT_MS;
  const policy = createAddressPolicy(options.allowedHosts ?? []);
  const trustedPrefixes = options.trustedUrlPrefixes ?? [];
  const trusted = (url: URL) => trustedPrefixes.some((prefix) => url.href.startsWith(prefix));
  const served = new Map<string, FetchedFile>();

  const failure = (field: string, value: string, reason: string) =>
    new Error(`The input file could not be fetched: ${field} (${describeUrl(value)}): ${reason}`);

  /** What to do with one value of a file input: fetch it, or leave it as it is. */
  function plan(field: string, value: unknown): "fetch" | "keep" {
    if (typeof value !== "string") return "keep";
    if (value.startsWith("data:")) {
      const size = dataUriSize(value);
      if (size !== null && size > maxBytes) throw failure(field, value, `it is larger than the ${sizeText(maxBytes)} limit for input files`);
      return "keep";
    }
    if (/^https?:\/\//i.test(value)) return "fetch";
    throw failure(field, value, "only http, https and data URLs are accepted for files");
  }

  return {
    async prepare(predictionId, input, names) {
      const jobs: { name: string; index: number | null; field: string; url: string }[] = [];
      for (const name of names) {
        const value = input[name];
        const items = Array.isArray(value) ? value.map((item, index) => ({ item, index })) : [{ item: value, index: null }];
        for (const { item, index } of items) {
          const field = index === null ? name : `${name}.${index}`;
          if (plan(field, item) === "fetch") jobs.push({ name, index, field, url: item as string });
        }
      }
      if (jobs.length === 0) return { input, release: NOTHING_TO_RELEASE };

      const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), `ferry-inputs-${predictionId.replace(/[^A-Za-z0-9_-]/g, "_")}-`));
      const tokens: string[] = [];
      const release = () => {
        for (const token of tokens) served.delete(token);
        rm(dir, { recursive: true, force: true }).catch((error: unknown) => log.warn({ err: error, dir }, "could not remove input files"));
      };
      const abort = new AbortController();
      try {
        const fetched = await Promise.all(
          jobs.map(async (job, n) => {
            try {
              return await fetchInput(job.url, join(dir, String(n)), { policy, maxBytes, timeoutMs, trusted, signal: abort.signal });
            } catch (error) {
              abort.abort();
              throw failure(job.field, job.url, error instanceof FetchFailure ? error.message : String(error));
            }
          }),
        );
        const next: Record<string, unknown> = { ...input };
        for (const job of jobs) if (job.index !== null) next[job.name] = [...(input[job.name] as unknown[])];
        jobs.forEach((job, n) => {
          const file = fetched[n]!;
          const token = randomBytes(24).toString("base64url");
          tokens.push(token);
          served.set(token, file);
          const url = `${baseUrl()}/inputs/${token}/${encodeURIComponent(file.name)}`;
          if (job.index === null) next[job.name] = url;
          else (next[job.name] as unknown[])[job.index] = url;
        });
        return { input: next, release };
      } catch (error) {
        release();
        throw error;
      }
    },

    handle(req, res) {
      const match = ROUTE.exec((req.url ?? "").split("?")[0] ?? "");
      if (match === null || (req.method !== "GET" && req.method !== "HEAD")) return false;
      const file = served.get(match[1] ?? "");
      req.resume();
      if (file === undefined) {
        res.writeHead(404).end();
        return true;
      }
      res.writeHead(200, {
        "content-type": file.contentType,
        "content-length": String(file.size),
        "content-disposition": `inline; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      });
      if (req.method === "HEAD") res.end();
      else createReadStream(file.path).on("error", () => res.destroy()).pipe(res);
      return true;
    },
  };
}
