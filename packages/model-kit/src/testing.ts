// @ferry/model-kit/testing: the harness the official models' tests share. A separate entry point, so that model
// code importing @ferry/model-kit never loads it: serve a model with the real SDK server and wait (bounded) until it
// is READY, send it requests with a timeout, and build or read the inputs those tests use.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll } from "vitest";
import { serveModel, type ModelDefinition, type ModelServer, type PredictionSnapshot, type ServeOptions } from "@ferry/sdk";
import { encodeImage } from "./image.js";

export interface ServeForTestOptions extends Partial<ServeOptions> {
  /** Setup must have ended READY within this long, or serving fails (setup is model loading: seconds, not minutes). */
  readyWithinMs: number;
  /** Every request made through the handle is aborted after this long. */
  requestTimeoutMs: number;
}

/** A response's status and its parsed JSON body. */
export interface JsonResponse<T = PredictionSnapshot> {
  status: number;
  body: T;
}

/** A model served for a test, with requests to it bounded by the handle's timeout. */
export interface ModelUnderTest {
  readonly server: ModelServer;
  /** Any request; the body (when given) is sent as JSON, with `content-type: application/json` unless overridden. */
  request<T = PredictionSnapshot>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse<T>>;
  /** `POST /predictions` with this request body (`{ input, … }`). */
  post<T = PredictionSnapshot>(body: unknown): Promise<JsonResponse<T>>;
  /** `POST /predictions` with `{ input }`: the prediction as the server answered, whatever its HTTP status. */
  predict(input: Record<string, unknown>): Promise<PredictionSnapshot>;
  close(): Promise<void>;
}

/**
 * Serves `model` on a free port of 127.0.0.1 (logs not echoed) and resolves once it is READY. Setup that fails or
 * outlasts `readyWithinMs` closes the server and rejects with its health, so a broken model fails its tests at once.
 */
export async function serveForTest(model: ModelDefinition, options: ServeForTestOptions): Promise<ModelUnderTest> {
  const { readyWithinMs, requestTimeoutMs, ...serveOptions } = options;
  const server = await serveModel(model, { port: 0, echoLogs: false, ...serveOptions });
  const deadline = Date.now() + readyWithinMs;
  while (server.health().status !== "READY") {
    const health = server.health();
    if (health.status === "SETUP_FAILED" || Date.now() > deadline) {
      await server.close();
      throw new Error(`the model did not become READY within ${readyWithinMs} ms: ${JSON.stringify(health)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const request = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    server,
    request,
    post: (body) => request("POST", "/predictions", body),
    predict: async (input) => (await request<PredictionSnapshot>("POST", "/predictions", { input })).body,
    close: () => server.close(),
  };
}

/**
 * Serves `model` for the tests of the calling file: started (until READY) in a beforeAll hook, closed in an afterAll
 * hook. The handle is usable from the tests on; used earlier it throws.
 */
export function serveDuringTests(model: ModelDefinition, options: ServeForTestOptions): ModelUnderTest {
  let served: ModelUnderTest | undefined;
  const current = (): ModelUnderTest => {
    if (served === undefined) throw new Error("the model is served from beforeAll on");
    return served;
  };
  beforeAll(async () => {
    served = await serveForTest(model, options);
  });
  afterAll(() => served?.close());
  return {
    get server() {
      return current().server;
    },
    request: <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => current().request<T>(method, path, body, headers),
    post: <T>(body: unknown) => current().post<T>(body),
    predict: (input) => current().predict(input),
    close: () => current().close(),
  };
}

/** A `data:` URI of the bytes, as a client sends a file inline. */
export function dataUri(bytes: Buffer, type: string): string {
  return `data:${type};base64,${bytes.toString("base64")}`;
}

/**
 * The bytes of a base64 `data:` URI (an output file of an instance without an upload URL). Anything else (an empty
 * one included), or a URI of another type than `type` when given, throws naming what came instead.
 */
export function bytesOf(uri: unknown, type?: string): Buffer {
  const match = /^data:([^;,]*);base64,(.+)$/s.exec(String(uri));
  if (!match || (type !== undefined && match[1] !== type)) {
    throw new Error(`expected a base64 data: URI${type === undefined ? "" : ` of ${type}`}, got ${String(uri).slice(0, 60)}`);
  }
  return Buffer.from(match[2]!, "base64");
}

/** The input of the first example in the model's ferry.json (`modelFolder` is the folder that holds it). */
export async function defaultExample<T = Record<string, unknown>>(modelFolder: URL): Promise<T> {
  const manifest = JSON.parse(await readFile(new URL("ferry.json", modelFolder), "utf8")) as { examples?: { input: T }[] };
  const example = manifest.examples?.[0];
  if (!example) throw new Error(`${new URL("ferry.json", modelFolder).pathname} has no example`);
  return example.input;
}

/** The bytes of the file the default example's `field` names (a path relative to the model's folder). */
export async function defaultExampleFile(modelFolder: URL, field: string): Promise<Buffer> {
  const path = (await defaultExample(modelFolder))[field];
  if (typeof path !== "string") throw new Error(`the default example has no file in "${field}"`);
  return readFile(new URL(path, modelFolder));
}

/** A plain mid-grey RGB PNG: an image with nothing in it to find. */
export function greyPng(width: number, height: number): Promise<Buffer> {
  return encodeImage({ data: Buffer.alloc(width * height * 3, 128), width, height, channels: 3 }, "png");
}
