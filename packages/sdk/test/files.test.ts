// File inputs and outputs over real HTTP: inputs.file() downloads http(s) URLs and data: URIs to local paths
// (within the size and time limits, deleted afterwards), outputs.file() uploads returned paths to the upload URL
// (Cog's --upload-url contract) or falls back to data: URIs, and iterator items are uploaded as they are yielded.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineModel, inputs, openapiSchema, outputs, type ModelServer, type PredictionSnapshot } from "../src/index.js";
import { call, eventually, serveReady } from "./support.js";

const servers: ModelServer[] = [];
const httpServers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const server of httpServers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});
const serve = async (...args: Parameters<typeof serveReady>) => {
  const server = await serveReady(...args);
  servers.push(server);
  return server;
};

/** A local HTTP server for the test; returns its base URL. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  httpServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Put {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An upload sink that records each PUT and answers 201 with a signed-looking Location (or `status`). */
async function sink(status: () => number = () => 201): Promise<{ url: string; puts: Put[]; attempts: () => number }> {
  const puts: Put[] = [];
  let attempts = 0;
  const url = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      attempts += 1;
      const code = status();
      if (code !== 201) return void res.writeHead(code).end();
      puts.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(201, { location: `https://files.example/${puts.length}/download?signature=abc%2B` }).end();
    });
  });
  return { url: `${url}/uploads`, puts, attempts: () => attempts };
}

/** Reports what predict saw of its file input: the path, whether it exists, its bytes and content type. */
const inspector = defineModel({
  input: z.object({ file: inputs.file(), more: z.array(inputs.file()).default([]) }),
  output: z.object({ path: z.string(), text: z.string(), type: z.string(), more: z.array(z.string()) }),
  async predict(input, ctx) {
    const more = await Promise.all(input.more.map(async (path) => `${ctx.files.contentType(path)}:${await readFile(path, "utf8")}`));
    return { path: input.file, text: await readFile(input.file, "utf8"), type: ctx.files.contentType(input.file), more };
  },
});

/** Writes its text input as a file and returns it, typed by `type`. */
const writer = defineModel({
  input: z.object({ text: z.string(), name: z.string().default("out.txt"), type: z.string().optional(), missing: z.boolean().default(false) }),
  output: outputs.file(),
  async predict(input, ctx) {
    if (input.missing) return "/nonexistent/ferry/out.txt";
    return ctx.files.write(input.name, input.text, input.type === undefined ? {} : { contentType: input.type });
  },
});

describe("the schema of file inputs and outputs", () => {
  it("is Cog's Path: a string of format uri, in inputs, arrays, outputs and iterator items", () => {
    const schemas = (openapiSchema(inspector) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }).components.schemas;
    expect(schemas["Input"]?.properties?.["file"]).toEqual({ type: "string", title: "File", format: "uri", "x-order": 0 });
    expect(schemas["Input"]?.properties?.["more"]).toMatchObject({ type: "array", items: { type: "string", format: "uri" } });
    const fileOut = openapiSchema(writer) as { components: { schemas: Record<string, unknown> } };
    expect(fileOut.components.schemas["Output"]).toEqual({ title: "Output", type: "string", format: "uri" });
    const iterator = defineModel({ input: z.object({}), output: outputs.iterator(outputs.file()), async *predict() {} });
    expect((openapiSchema(iterator) as { components: { schemas: Record<string, unknown> } }).components.schemas["Output"]).toEqual({
      title: "Output",
      type: "array",
      items: { type: "string", format: "uri" },
      "x-cog-array-type": "iterator",
    });
  });

  it("accepts only http, https and data URLs for a file input", async () => {
    const server = await serve(inspector);
    const res = await call(server, "POST", "/predictions", { input: { file: "file:///etc/passwd" } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ detail: [{ loc: ["body", "input", "file"] }] });
  });
});

describe("file inputs", () => {
  it("downloads an http URL to a local file named as the server says, with its content type, and deletes it afterwards", async () => {
    const origin = await listen((req, res) => {
      if (req.url === "/named") res.writeHead(200, { "content-type": "text/x-named", "content-disposition": 'attachment; filename="from header.txt"' }).end("named");
      else res.writeHead(200, { "content-type": "image/png" }).end("png bytes");
    });
    const server = await serve(inspector);
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", {
      input: { file: `${origin}/pics/cat.png?sig=1`, more: [`${origin}/named`, "data:text/plain;base64,aGk="] },
    });
    expect(res.body.status).toBe("succeeded");
    const output = res.body.output as { path: string; text: string; type: string; more: string[] };
    expect(output).toMatchObject({ text: "png bytes", type: "image/png", more: ["text/x-named:named", "text/plain:hi"] });
    expect(output.path).toMatch(/\/cat\.png$/);
    // The snapshot echoes the URLs the caller sent, not the local paths.
    expect(res.body.input).toEqual({ file: `${origin}/pics/cat.png?sig=1`, more: [`${origin}/named`, "data:text/plain;base64,aGk="] });
    await eventually(() => (existsSync(output.path) ? undefined : true));
  });

  it("fails the prediction when an input file is over the size limit", async () => {
    const origin = await listen((_req, res) => res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.alloc(2048)));
    const server = await serve(inspector, { maxInputBytes: 1024 });
    const viaHttp = await call<PredictionSnapshot>(server, "POST", "/predictions", { input: { file: `${origin}/big.bin` } });
    expect(viaHttp.body).toMatchObject({ status: "failed" });
    expect(viaHttp.body.error).toMatch(/^The input file could not be fetched: http:\/\/127\.0\.0\.1:\d+\/big\.bin: it is larger than/);
    const viaData = await call<PredictionSnapshot>(server, "POST", "/predictions", { input: { file: `data:;base64,${Buffer.alloc(2048).toString("base64")}` } });
    expect(viaData.body.error).toMatch(/^The input file could not be fetched: a data: URI: it is larger than/);
  });

  it("fails the prediction when an input file takes longer than the time limit", async () => {
    const origin = await listen((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("slow");
      // never ends
    });
    const server = await serve(inspector, { inputTimeoutMs: 300 });
    const started = Date.now();
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", { input: { file: `${origin}/slow.txt` } });
    expect(res.body.error).toMatch(/: it took longer than 0\.3 s to download$/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("fails the prediction when the server answers an error status", async () => {
    const origin = await listen((_req, res) => res.writeHead(404).end());
    const server = await serve(inspector);
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", { input: { file: `${origin}/gone.png` } });
    expect(res.body.error).toMatch(/gone\.png: the server answered HTTP 404$/);
  });
});

describe("file outputs", () => {
  it("PUTs a returned file to the upload URL with its name, type and prediction id, and outputs the Location", async () => {
    const uploads = await sink();
    const server = await serve(writer, { uploadUrl: uploads.url });
    const res = await call<PredictionSnapshot>(server, "PUT", "/predictions/pred-1", { input: { text: "written", name: "my out.webp" } });
    expect(res.body).toMatchObject({ status: "succeeded", output: "https://files.example/1/download?signature=abc%2B" });
    expect(uploads.puts).toEqual([
      expect.objectContaining({ path: "/uploads/my%20out.webp", body: Buffer.from("written") }),
    ]);
    expect(uploads.puts[0]?.headers).toMatchObject({ "content-type": "image/webp", "x-prediction-id": "pred-1", "content-length": "7" });
  });

  it("uses the content type given to ctx.files.write over the one the name suggests", async () => {
    const uploads = await sink();
    const server = await serve(writer, { uploadUrl: uploads.url });
    await call(server, "POST", "/predictions", { input: { text: "x", name: "plain", type: "audio/wav" } });
    expect(uploads.puts[0]?.headers["content-type"]).toBe("audio/wav");
  });

  it("falls back to a data: URI without an upload URL", async () => {
    const server = await serve(writer, { uploadUrl: null });
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", { input: { text: "hello", name: "a.png" } });
    expect(res.body.output).toBe(`data:image/png;base64,${Buffer.from("hello").toString("base64")}`);
  });

  it("fails the prediction for a returned path that does not exist, and after retries when the upload keeps failing", async () => {
    const failing = await sink(() => 503);
    const server = await serve(writer, { uploadUrl: failing.url });
    const missing = await call<PredictionSnapshot>(server, "POST", "/predictions", { input: { text: "x", missing: true } });
    expect(missing.body).toMatchObject({ status: "failed", error: "The model returned a file that does not exist: /nonexistent/ferry/out.txt" });
    const refused = await call<PredictionSnapshot>(server, "POST", "/predictions", { input: { text: "x" } });
    expect(refused.body).toMatchObject({ status: "failed", error: "The output file could not be uploaded: the upload URL answered HTTP 503" });
    expect(failing.attempts()).toBe(3);
  });

  it("uploads each file an iterator yields as it is yielded, and keeps URLs it yields as they are", async () => {
    const uploads = await sink();
    const frames = defineModel({
      input: z.object({ n: z.number().int() }),
      output: outputs.iterator(outputs.file()),
      async *predict(input, ctx) {
        for (let i = 1; i <= input.n; i++) {
          yield await ctx.files.write(`frame-${i}.png`, `frame ${i}`);
          // The upload of the frame just yielded is done before the model runs on.
          if (uploads.puts.length !== i) throw new Error(`frame ${i} was not uploaded yet`);
        }
        yield "https://elsewhere.example/kept.png";
      },
    });
    const server = await serve(frames, { uploadUrl: `${uploads.url}/` });
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", { input: { n: 2 } });
    expect(res.body).toMatchObject({
      status: "succeeded",
      output: ["https://files.example/1/download?signature=abc%2B", "https://files.example/2/download?signature=abc%2B", "https://elsewhere.example/kept.png"],
    });
    expect(uploads.puts.map((put) => [put.path, put.body.toString()])).toEqual([
      ["/uploads/frame-1.png", "frame 1"],
      ["/uploads/frame-2.png", "frame 2"],
    ]);
  });

  it("finds files inside object outputs too", async () => {
    const uploads = await sink();
    const pair = defineModel({
      input: z.object({}),
      output: z.object({ caption: z.string(), image: outputs.file() }),
      async predict(_input, ctx) {
        return { caption: "/not/a/file", image: await ctx.files.write("i.png", "img") };
      },
    });
    const server = await serve(pair, { uploadUrl: uploads.url });
    const res = await call<PredictionSnapshot>(server, "POST", "/predictions", { input: {} });
    expect(res.body.output).toEqual({ caption: "/not/a/file", image: "https://files.example/1/download?signature=abc%2B" });
  });
});
