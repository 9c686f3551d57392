// File inputs and outputs through a real runner and real instances: the runner fetches an http input under its
// address policy and serves it to the instance, the instance uploads its output file to the runner's upload sink,
// which hands it to the control plane; a hand-written Cog server's upload (query cut off, as Cog does) still ends
// up as the full link. The sink on its own: only PUTs for predictions the runner holds.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "@ferry/core";
import { createUploadSink } from "../src/upload-sink.js";
import { commandVersion, nodeVersion } from "./support/fixtures.js";
import { createMemoryControlPlane } from "./support/memory-control-plane.js";
import { eventually, startRunner } from "./support/runner-harness.js";

const servers: Server[] = [];
let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "ferry-runner-files-"));
});
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
  rmSync(tmp, { recursive: true, force: true });
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A file server on 127.0.0.1 that records who asked for what. */
async function origin(): Promise<{ url: string; requests: { path: string; agent: string }[] }> {
  const requests: { path: string; agent: string }[] = [];
  const url = await listen((req, res) => {
    requests.push({ path: req.url ?? "", agent: req.headers["user-agent"] ?? "" });
    if (req.url === "/extra.txt") res.writeHead(200, { "content-type": "text/plain" }).end("extra text");
    else res.writeHead(200, { "content-type": "image/png" }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
  });
  return { url, requests };
}

const fileCopy = () => nodeVersion("file-copy", { fileInputs: ["file", "extra"] });

describe("a runner with file inputs and outputs", () => {
  it("fetches an http input from an allowed host, serves it to the instance, and uploads the output file", async () => {
    const files = await origin();
    const version = fileCopy();
    const { plane } = await startRunner([version], { inputs: { allowedHosts: ["127.0.0.1"], tmpDir: tmp } });
    const p = plane.enqueue(version.versionId, { file: `${files.url}/pics/cat.png`, extra: [`${files.url}/extra.txt`, "data:text/plain,inline"] });
    const done = await plane.waitForTerminal(p.id, 30_000);

    expect(done).toMatchObject({ status: "succeeded", output: expect.stringMatching(/^https:\/\/files\.test\//) });
    expect(plane.uploads).toEqual([
      expect.objectContaining({ predictionId: p.id, name: "copy-cat.png", contentType: "image/png", bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) }),
    ]);
    expect(done.output).toBe(plane.uploads[0]?.url);
    // The upload is a phase of its timeline, on the event that ended it.
    const end = plane.reports(p.id).find((r) => r.applied && r.event.type === "succeeded")?.event;
    expect((end as { timeline?: { phase: string }[] } | undefined)?.timeline?.map((e) => e.phase)).toContain("uploading_output");
    expect(done.logs).toMatch(/^got cat\.png \(image\/png, 7 bytes\) from 127\.0\.0\.1:\d+\nextra extra\.txt: extra text\nextra input\.txt: inline\n/);
    // The runner fetched each file once; the instance read the runner's copies.
    expect(files.requests).toEqual([
      { path: "/pics/cat.png", agent: "ferry-runner" },
      { path: "/extra.txt", agent: "ferry-runner" },
    ]);
    // The stored input keeps what the caller sent.
    expect(plane.get(p.id).input).toEqual({ file: `${files.url}/pics/cat.png`, extra: [`${files.url}/extra.txt`, "data:text/plain,inline"] });
    await eventually(() => readdirSync(tmp).length === 0, 5_000, "the input files to be deleted");
  });

  it("fails the prediction, without running it, when the input's address is not allowed", async () => {
    const files = await origin();
    const version = fileCopy();
    const { plane } = await startRunner([version], { inputs: { tmpDir: tmp } });
    const blocked = await plane.waitForTerminal(plane.enqueue(version.versionId, { file: `${files.url}/cat.png` }).id, 30_000);
    const metadata = await plane.waitForTerminal(plane.enqueue(version.versionId, { file: "http://169.254.169.254/latest/meta-data/" }).id, 30_000);

    expect(blocked).toMatchObject({ status: "failed", startedAt: null });
    expect(blocked.error).toMatch(/^The input file could not be fetched: file \(http:\/\/127\.0\.0\.1:\d+\/cat\.png\): its address 127\.0\.0\.1 is a loopback address/);
    expect(metadata.error).toBe(
      "The input file could not be fetched: file (http://169.254.169.254/latest/meta-data/): its address 169.254.169.254 is a link-local address (where cloud metadata services live), which this server does not fetch from",
    );
    expect(files.requests).toEqual([]);
    expect(plane.reports(blocked.id).map((r) => r.event.type)).toEqual(["failed"]);
  });

  it("hands data: URIs to the instance as they are, and refuses one over the size limit", async () => {
    const version = fileCopy();
    const { plane } = await startRunner([version], { inputs: { maxBytes: 16, tmpDir: tmp } });
    const small = await plane.waitForTerminal(plane.enqueue(version.versionId, { file: "data:audio/wav;base64,UklGRg==" }).id, 30_000);
    const large = await plane.waitForTerminal(plane.enqueue(version.versionId, { file: `data:;base64,${Buffer.alloc(64).toString("base64")}` }).id, 30_000);

    expect(small.status).toBe("succeeded");
    expect(plane.uploads[0]).toMatchObject({ name: "copy-input.wav", contentType: "audio/wav", bytes: Buffer.from("RIFF") });
    expect(large.error).toBe("The input file could not be fetched: file (a data: URI): it is larger than the 16 bytes limit for input files");
  });

  it("gives a Cog server's output back its full link after the server cut the query off", async () => {
    const version = commandVersion("cog-uploader.mjs", ["--upload-url", "{upload_url}"]);
    const { plane } = await startRunner([version]);
    const done = await plane.waitForTerminal(plane.enqueue(version.versionId, { text: "from cog" }).id, 30_000);

    expect(plane.uploads).toEqual([expect.objectContaining({ name: "out.txt", contentType: "text/plain", bytes: Buffer.from("from cog") })]);
    expect(done).toMatchObject({ status: "succeeded", output: plane.uploads[0]?.url });
    expect(done.output).toMatch(/\?signature=s0$/);
  });
});

describe("the upload sink", () => {
  async function sinkFor(holding: string[]) {
    const plane = createMemoryControlPlane([]);
    const sink = createUploadSink({ runnerId: "runner-1", controlPlane: plane, holds: (id) => holding.includes(id), log: silentLogger });
    const url = await listen((req, res) => {
      if (!sink.handle(req, res)) res.writeHead(404).end();
    });
    return { plane, url };
  }

  function put(url: string, body: string, headers: Record<string, string> = {}, method = "PUT") {
    return new Promise<{ status: number; location: string | undefined; body: string }>((resolve, reject) => {
      const req = request(url, { method, headers: { "content-type": "text/plain", ...headers } }, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  it("streams a PUT for a held prediction to the control plane and answers 201 with the link in Location", async () => {
    const version = nodeVersion("echo");
    const plane = createMemoryControlPlane([version]);
    const p = plane.enqueue(version.versionId);
    await plane.claim("runner-1", version.versionId);
    const sink = createUploadSink({ runnerId: "runner-1", controlPlane: plane, holds: (id) => id === p.id, log: silentLogger });
    const url = await listen((req, res) => {
      if (!sink.handle(req, res)) res.writeHead(404).end();
    });

    const byPath = await put(`${url}/uploads/${p.id}/a%20b.txt`, "by path");
    const byHeader = await put(`${url}/uploads/c.txt`, "by header", { "x-prediction-id": p.id, "content-type": "text/csv" });
    expect(byPath).toMatchObject({ status: 201, location: plane.uploads[0]?.url });
    expect(JSON.parse(byPath.body)).toEqual({ url: plane.uploads[0]?.url });
    expect(byHeader).toMatchObject({ status: 201, location: plane.uploads[1]?.url });
    expect(plane.uploads.map((u) => [u.name, u.contentType, u.bytes.toString()])).toEqual([
      ["a b.txt", "text/plain", "by path"],
      ["c.txt", "text/csv", "by header"],
    ]);
    // A stripped link comes back whole in that prediction's output, and only there.
    const stripped = plane.uploads[0]?.url.split("?")[0];
    expect(sink.restore(p.id, { images: [stripped, "other"] })).toEqual({ images: [plane.uploads[0]?.url, "other"] });
    expect(sink.restore("another", stripped)).toBe(stripped);
    sink.forget(p.id);
    expect(sink.restore(p.id, stripped)).toBe(stripped);
  });

  it("refuses predictions the runner does not hold, other methods and paths without a prediction", async () => {
    const { plane, url } = await sinkFor([]);
    expect(await put(`${url}/uploads/nosuch/x.txt`, "x")).toMatchObject({ status: 404 });
    expect(await put(`${url}/uploads/x.txt`, "x")).toMatchObject({ status: 400 });
    expect(await put(`${url}/uploads/a/b/c.txt`, "x", { "x-prediction-id": "a" })).toMatchObject({ status: 400 });
    expect(await put(`${url}/uploads/a/x.txt`, "", {}, "GET")).toMatchObject({ status: 405 });
    expect(plane.uploads).toEqual([]);
  });
});
