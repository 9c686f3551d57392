// File inputs and outputs through the official client (replicate 1.4.0), on SQLite and PostgreSQL, with
// ferry/file-echo: a Buffer and a Blob (uploaded by the client through files.create), an http URL on 127.0.0.1
// (allowed by FERRY_ALLOWED_INPUT_HOSTS), a data: URI; each output downloaded with no token at all, with the
// right Content-Type and the same bytes. Blocked addresses and others' Files-API URLs fail with a clear error.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "./support/databases.js";
import { useServerOn } from "./support/server-on-database.js";

/** A plain file server on 127.0.0.1, as a user's own storage would be. */
async function startOrigin(files: Record<string, { type: string; bytes: Buffer }>): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const file = files[req.url ?? ""];
    if (file === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": file.type, "content-length": String(file.bytes.length) }).end(file.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

/** Downloads an output URL exactly as an anonymous browser would: no Authorization, no cookies. */
async function download(url: string): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Buffer }> {
  const response = await fetch(url);
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    disposition: response.headers.get("content-disposition"),
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

const WAV = Buffer.concat([Buffer.from("RIFF"), randomBytes(3_000)]);

describe.each(DATABASE_KINDS)("file inputs and outputs through the official client on %s", (kind) => {
  let origin: Awaited<ReturnType<typeof startOrigin>>;

  const booted = useServerOn(kind, { env: { FERRY_ALLOWED_INPUT_HOSTS: "127.0.0.1" } });

  beforeAll(async () => {
    origin = await startOrigin({ "/sounds/clip.wav": { type: "audio/wav", bytes: WAV } });
  });

  afterAll(async () => {
    origin?.server.closeAllConnections();
    origin?.server.close();
  });

  const echo = async (file: unknown): Promise<string> => {
    const output = await booted.replicate.run("ferry/file-echo", { input: { file } });
    expect(typeof output).toBe("string");
    return output as unknown as string;
  };

  it("echoes a Buffer the client uploads through files.create, served back anonymously by a signed link", async () => {
    const bytes = randomBytes(150_000);
    const output = await echo(bytes);
    expect(output).toMatch(new RegExp(`^${booted.server.apiUrl}/files/[a-z0-9]+/download/[^?]+\\?owner=[^&]+&expiry=\\d+&signature=`, "i"));
    const got = await download(output);
    expect(got).toMatchObject({ status: 200, type: "application/octet-stream" });
    expect(got.bytes.equals(bytes)).toBe(true);
    // The name the client gave the upload travels with the file.
    expect(got.disposition).toMatch(/^inline; filename="buffer_\d+"/);
  });

  it("keeps the content type of a Blob upload", async () => {
    const bytes = randomBytes(2_000);
    const got = await download(await echo(new Blob([bytes], { type: "image/png" })));
    expect(got.type).toBe("image/png");
    expect(got.bytes.equals(bytes)).toBe(true);
  });

  it("fetches an http URL on 127.0.0.1, which FERRY_ALLOWED_INPUT_HOSTS allows", async () => {
    const output = await echo(`${origin.url}/sounds/clip.wav`);
    const got = await download(output);
    expect(got).toMatchObject({ status: 200, type: "audio/wav" });
    expect(got.bytes.equals(WAV)).toBe(true);
    expect(got.disposition).toContain('filename="clip.wav"');
    expect(origin.hits.filter((path) => path === "/sounds/clip.wav")).toHaveLength(1);
  });

  it("echoes a data: URI with its media type", async () => {
    const bytes = randomBytes(500);
    const got = await download(await echo(`data:image/webp;base64,${bytes.toString("base64")}`));
    expect(got.type).toBe("image/webp");
    expect(got.bytes.equals(bytes)).toBe(true);
  });

  it("shows the output link on the prediction, and the input as the caller sent it", async () => {
    const file = await booted.replicate.files.create(new Blob([Buffer.from("hello file")], { type: "text/plain" }));
    const prediction = await booted.replicate.predictions.create({ model: "ferry/file-echo", input: { file: file.urls.get }, wait: 60 });
    expect(prediction).toMatchObject({ status: "succeeded", input: { file: file.urls.get } });
    const got = await download(prediction.output as string);
    expect(got.bytes.toString()).toBe("hello file");
    expect(got.type).toMatch(/^text\/plain/);
  });

  it("fails the prediction with a clear error for an address the server does not fetch from", async () => {
    await expect(echo("http://169.254.169.254/latest/meta-data/iam/security-credentials/")).rejects.toThrow(
      "Prediction failed: The input file could not be fetched: file (http://169.254.169.254/latest/meta-data/iam/security-credentials/): " +
        "its address 169.254.169.254 is a link-local address (where cloud metadata services live), which this server does not fetch from",
    );
  });

  it("answers 422 for a Files-API URL that is not one of the caller's files, and queues nothing", async () => {
    const before = (await booted.replicate.predictions.list()).results.length;
    const error = await booted.replicate.predictions.create({ model: "ferry/file-echo", input: { file: `${booted.server.apiUrl}/files/nosuchfile` } }).then(
      () => null,
      (e: unknown) => e as { response?: Response; message: string },
    );
    expect(error?.response?.status).toBe(422);
    expect(error?.message).toContain("is not one of your files");
    expect((await booted.replicate.predictions.list()).results.length).toBe(before);
  });
});
