// Downloads one http(s) input file to disk under the address policy, a size limit and a time limit. DNS is
// resolved by our own lookup, which checks every address it returns, and the socket connects to exactly those
// addresses (no second resolution an attacker could answer differently). Redirects are followed and re-checked.
import { lookup as dnsLookup } from "node:dns";
import type { LookupAddress } from "node:dns";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import http from "node:http";
import type { IncomingMessage } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import type { LookupFunction } from "node:net";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AddressPolicy } from "./address-policy.js";
import { describeUrl, fileNameFrom } from "./file-names.js";

export interface FetchInputOptions {
  policy: AddressPolicy;
  maxBytes: number;
  timeoutMs: number;
  /** URLs the operator's own server hands out (signed Files-API links): fetched whatever their address. */
  trusted(url: URL): boolean;
  signal?: AbortSignal;
}

export interface FetchedFile {
  path: string;
  name: string;
  contentType: string;
  size: number;
}

/** Why a download failed, in words for the prediction's error. */
export class FetchFailure extends Error {
  override readonly name = "FetchFailure";
}

const MAX_REDIRECTS = 5;

/**
 * Keep-alive agents for trusted URLs only (the operator's own server, fetched whatever its address): an embedded
 * runner fetches Files-API and example inputs from its own server prediction after prediction, and a fresh TCP
 * connection each time is a good part of that. Every other URL gets a connection of its own (agent: false), so a
 * socket is only ever used for the request whose lookup the policy checked.
 */
const trustedAgents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
};
const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** Downloads `url` into the folder `dir` (created), keeping the server's file name. Rejects with FetchFailure. */
export async function fetchInput(url: string, dir: string, options: FetchInputOptions): Promise<FetchedFile> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  try {
    let current = new URL(url);
    for (let hop = 0; ; hop += 1) {
      const response = await get(current, options, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        response.resume();
        if (hop >= MAX_REDIRECTS) throw new FetchFailure(`it redirected more than ${MAX_REDIRECTS} times`);
        current = new URL(location, current);
        continue;
      }
      if (status !== 200) {
        response.resume();
        throw new FetchFailure(`the server answered HTTP ${status}`);
      }
      return await save(response, current, dir, options, signal);
    }
  } catch (error) {
    if (timeout.aborted) throw new FetchFailure(`it took longer than ${seconds(options.timeoutMs)} to download`);
    if (error instanceof FetchFailure) throw error;
    throw new FetchFailure(connectionProblem(error));
  }
}

function get(url: URL, options: FetchInputOptions, signal: AbortSignal): Promise<IncomingMessage> {
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.reject(new FetchFailure(`${describeUrl(url.href)} is not an http or https URL`));
  }
  const trusted = options.trusted(url);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  // Literal addresses never reach the lookup function, so they are checked here.
  if (isIP(host) !== 0 && !trusted) {
    const reason = options.policy.check(host, host);
    if (reason !== null) return Promise.reject(new FetchFailure(reason));
  }
  const secure = url.protocol === "https:";
  const request = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "GET",
      agent: trusted ? (secure ? trustedAgents.https : trustedAgents.http) : false,
      signal,
      lookup: trusted ? undefined : checkedLookup(options.policy),
      headers: { "user-agent": "ferry-runner", accept: "*/*" },
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}

/** A DNS lookup that refuses to hand the socket any address the policy blocks. */
function checkedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error !== null) return callback(error, "", 0);
      for (const { address } of addresses) {
        const reason = policy.check(hostname, address);
        if (reason !== null) return callback(new FetchFailure(reason), "", 0);
      }
      const first = addresses[0];
      if (first === undefined) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
      if (options.all === true) (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

async function save(response: IncomingMessage, url: URL, dir: string, options: FetchInputOptions, signal: AbortSignal): Promise<FetchedFile> {
  const tooLarge = () => new FetchFailure(`it is larger than the ${sizeText(options.maxBytes)} limit for input files`);
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const name = fileNameFrom(response.headers["content-disposition"], url);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > options.maxBytes ? tooLarge() : null, chunk);
    },
  });
  await pipeline(response, counter, createWriteStream(path), { signal });
  const contentType = response.headers["content-type"]?.trim() || DEFAULT_CONTENT_TYPE;
  return { path, name, contentType, size };
}

function connectionProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (error instanceof Error && error.cause instanceof FetchFailure) return error.cause.message;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "its host name could not be resolved";
  if (code === "ECONNREFUSED") return "the connection was refused";
  if (code === "ECONNRESET") return "the connection was reset";
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** "100 MiB", "64 KiB", "10 bytes". */
export function sizeText(bytes: number): string {
  const mib = 1024 * 1024;
  if (bytes >= mib && bytes % mib === 0) return `${bytes / mib} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
