// ferry/file-echo served by the real SDK server: the same bytes and content type come back, uploaded to the
// upload URL when there is one and as a data: URI when there is not.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openapiSchema } from "@ferry/sdk";
import { serveForTest, type ModelUnderTest } from "@ferry/model-kit/testing";
import model from "../src/predict.js";

const BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255, 7]);
const servers: Server[] = [];
const puts: { path: string; type: string | undefined; body: Buffer }[] = [];
let origin = "";
let uploadUrl = "";
let withUploads: ModelUnderTest;
let withoutUploads: ModelUnderTest;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  origin = await listen((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(BYTES));
  uploadUrl = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      puts.push({ path: req.url ?? "", type: req.headers["content-type"], body: Buffer.concat(chunks) });
      res.writeHead(201, { location: `https://files.example/${puts.length}?signature=x` }).end();
    });
  });
  const timeouts = { readyWithinMs: 5_000, requestTimeoutMs: 10_000 };
  withUploads = await serveForTest(model, { uploadUrl: `${uploadUrl}/uploads/`, ...timeouts });
  withoutUploads = await serveForTest(model, { uploadUrl: null, ...timeouts });
});
afterAll(async () => {
  await withUploads?.close();
  await withoutUploads?.close();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

describe("ferry/file-echo", () => {
  it("uploads the same bytes under the same name and content type, and outputs the upload's Location", async () => {
    const done = await withUploads.predict({ file: `${origin}/photos/cat.png` });
    expect(done).toMatchObject({ status: "succeeded", output: "https://files.example/1?signature=x", logs: "echoing cat.png (image/png, 11 bytes)\n" });
    expect(puts).toEqual([{ path: "/uploads/cat.png", type: "image/png", body: BYTES }]);
  });

  it("echoes a data: URI as a data: URI of the same type when the instance has no upload URL", async () => {
    const uri = `data:audio/wav;base64,${BYTES.toString("base64")}`;
    const done = await withoutUploads.predict({ file: uri });
    expect(done).toMatchObject({ status: "succeeded", output: uri });
  });

  it("takes one file input and gives a file output in its schema", () => {
    const schemas = (openapiSchema(model) as { components: { schemas: Record<string, unknown> } }).components.schemas;
    expect(schemas["Input"]).toEqual({
      type: "object",
      title: "Input",
      required: ["file"],
      properties: {
        file: {
          type: "string",
          title: "File",
          description: "The file to echo: an http(s) URL, a data: URI or a file uploaded with the Files API",
          format: "uri",
          "x-order": 0,
        },
      },
    });
    expect(schemas["Output"]).toEqual({ title: "Output", type: "string", format: "uri" });
  });
});
