// Input files fetched by the runner from real local HTTP servers: the address policy on literal addresses, DNS
// answers and redirects; the size and time limits; trusted server URLs; and the re-serving of fetched files to
// instances at unguessable paths that stop working once the prediction lets go of them.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "@ferry/core";
import { createAddressPolicy } from "../src/inputs/address-policy.js";
import { fetchInput } from "../src/inputs/fetch-input.js";
import type { FetchInputOptions } from "../src/inputs/fetch-input.js";
import { createInputFiles } from "../src/inputs/input-files.js";

const servers: Server[] = [];
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "ferry-input-test-"));
});
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A server on 127.0.0.1; returns its port and how many requests it got. */
async function serve(handler: RequestListener): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

const options = (overrides: Partial<FetchInputOptions> = {}): FetchInputOptions => ({
  policy: createAddressPolicy(["127.0.0.1"]),
  maxBytes: 1024,
  timeoutMs: 2_000,
  trusted: () => false,
  ...overrides,
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => "no failure",
    (error: unknown) => (error as Error).message,
  );

describe("fetching an input file", () => {
  it("saves it under the name from the URL or Content-Disposition, with its content type", async () => {
    const { port } = await serve((req, res) => {
      if (req.url === "/named") res.writeHead(200, { "content-type": "audio/wav", "content-disposition": "inline; filename*=UTF-8''sound%20clip.wav" }).end("RIFF");
      else res.writeHead(200, { "content-type": "image/png" }).end("png!");
    });
    const plain = await fetchInput(`http://127.0.0.1:${port}/a/cat.png?token=1`, join(dir, "1"), options());
    expect(plain).toMatchObject({ name: "cat.png", contentType: "image/png", size: 4, path: join(dir, "1", "cat.png") });
    const named = await fetchInput(`http://127.0.0.1:${port}/named`, join(dir, "2"), options());
    expect(named).toMatchObject({ name: "sound clip.wav", contentType: "audio/wav", size: 4 });
  });

  it("refuses 127.0.0.1, localhost and 169.254.169.254 by default, before connecting", async () => {
    const { port, hits } = await serve((_req, res) => res.end("secret"));
    const strict = options({ policy: createAddressPolicy() });
    expect(await failure(fetchInput(`http://127.0.0.1:${port}/x`, dir, strict))).toBe("its address 127.0.0.1 is a loopback address, which this server does not fetch from");
    expect(await failure(fetchInput(`http://localhost:${port}/x`, dir, strict))).toMatch(/is a loopback address/);
    expect(await failure(fetchInput("http://169.254.169.254/latest/meta-data/", dir, strict))).toMatch(/169\.254\.169\.254 is a link-local address/);
    expect(await failure(fetchInput(`http://[::ffff:127.0.0.1]:${port}/x`, dir, strict))).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(hits()).toBe(0);
  });

  it("allows a host name on the allow list, resolved through DNS", async () => {
    const { port } = await serve((_req, res) => res.end("ok"));
    const file = await fetchInput(`http://localhost:${port}/ok.txt`, dir, options({ policy: createAddressPolicy(["localhost"]) }));
    expect(file.size).toBe(2);
  });

  it("checks every redirect again: an allowed server cannot bounce the runner to a blocked address", async () => {
    const { port } = await serve((req, res) => {
      if (req.url === "/meta") res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/iam" }).end();
      else if (req.url === "/local") res.writeHead(301, { location: "/final.txt" }).end();
      else res.end("final");
    });
    expect(await failure(fetchInput(`http://127.0.0.1:${port}/meta`, dir, options()))).toMatch(/169\.254\.169\.254 is a link-local address/);
    expect(await fetchInput(`http://127.0.0.1:${port}/local`, dir, options())).toMatchObject({ name: "final.txt", size: 5 });
  });

  it("fetches the server's own URLs whatever their address, and only those", async () => {
    const { port } = await serve((_req, res) => res.end("own"));
    const base = `http://127.0.0.1:${port}/v1/files/`;
    const trustedOnly = options({ policy: createAddressPolicy(), trusted: (url) => url.href.startsWith(base) });
    expect((await fetchInput(`${base}abc/download?sig=1`, dir, trustedOnly)).size).toBe(3);
    expect(await failure(fetchInput(`http://127.0.0.1:${port}/v1/other`, dir, trustedOnly))).toMatch(/loopback/);
  });

  it("stops at the size limit, whether the server declares the size or streams it", async () => {
    const { port } = await serve((req, res) => {
      if (req.url === "/declared") res.writeHead(200, { "content-length": "4096" }).end(Buffer.alloc(4096));
      else {
        res.writeHead(200);
        for (let i = 0; i < 8; i++) res.write(Buffer.alloc(512));
        res.end();
      }
    });
    expect(await failure(fetchInput(`http://127.0.0.1:${port}/declared`, dir, options()))).toBe("it is larger than the 1 KiB limit for input files");
    expect(await failure(fetchInput(`http://127.0.0.1:${port}/streamed`, dir, options()))).toBe("it is larger than the 1 KiB limit for input files");
  });

  it("gives up on a server that is too slow, headers or body", async () => {
    const { port } = await serve((req, res) => {
      if (req.url === "/no-headers") return;
      res.writeHead(200);
      res.write("a trickle");
    });
    for (const path of ["/no-headers", "/trickle"]) {
      const started = Date.now();
      expect(await failure(fetchInput(`http://127.0.0.1:${port}${path}`, dir, options({ timeoutMs: 300 })))).toBe("it took longer than 300 ms to download");
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  it("reports an error status and an unresolvable host in words", async () => {
    const { port } = await serve((_req, res) => res.writeHead(403).end());
    expect(await failure(fetchInput(`http://127.0.0.1:${port}/private`, dir, options()))).toBe("the server answered HTTP 403");
    const anyHost = options({ policy: createAddressPolicy(["no-such-host.invalid"]) });
    expect(await failure(fetchInput("http://no-such-host.invalid/x", dir, anyHost))).toBe("its host name could not be resolved");
  });
});

describe("preparing a prediction's input", () => {
  async function runnerServer(files: ReturnType<typeof createInputFiles>) {
    const server = createServer((req, res) => {
      if (!files.handle(req, res)) res.writeHead(404).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it("re-serves fetched files at unguessable paths, keeps data: URIs and other inputs, and lets go on release", async () => {
    const origin = await serve((req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`body of ${req.url}`));
    let base = "";
    const files = createInputFiles({ allowedHosts: ["127.0.0.1"], tmpDir: dir }, () => base, silentLogger);
    base = await runnerServer(files);
    const input = {
      image: `http://127.0.0.1:${origin.port}/one.txt`,
      images: ["data:text/plain;base64,aGk=", `http://127.0.0.1:${origin.port}/two.txt`],
      prompt: `http://127.0.0.1:${origin.port}/not-a-file`,
    };
    const prepared = await files.prepare("pred1", input, ["image", "images"]);
    const image = prepared.input["image"] as string;
    const images = prepared.input["images"] as string[];
    expect(image).toMatch(new RegExp(`^${base}/inputs/[A-Za-z0-9_-]{32}/one\\.txt$`));
    expect(images[0]).toBe("data:text/plain;base64,aGk=");
    expect(images[1]).toMatch(/\/inputs\/[A-Za-z0-9_-]{32}\/two\.txt$/);
    expect(prepared.input["prompt"]).toBe(input.prompt);
    expect(input.images[1]).toBe(`http://127.0.0.1:${origin.port}/two.txt`);
    expect(origin.hits()).toBe(2);

    const served = await fetch(image);
    expect(served.headers.get("content-type")).toBe("text/plain");
    expect(await served.text()).toBe("body of /one.txt");
    expect((await fetch(`${base}/inputs/${"x".repeat(32)}/one.txt`)).status).toBe(404);

    prepared.release();
    expect((await fetch(image)).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readdirSync(dir)).toEqual([]);
  });

  it("costs nothing when no file input needs fetching", async () => {
    const files = createInputFiles({ tmpDir: dir }, () => "http://unused", silentLogger);
    const input = { image: "data:image/png;base64,AAAA" };
    const prepared = await files.prepare("pred2", input, ["image", "absent"]);
    expect(prepared.input).toBe(input);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("fails with a message naming the input, and keeps nothing, when one file cannot be fetched", async () => {
    const origin = await serve((_req, res) => res.end("fine"));
    const files = createInputFiles({ maxBytes: 8, tmpDir: dir }, () => "http://unused", silentLogger);
    const attempt = (input: Record<string, unknown>) => failure(files.prepare("pred3", input, ["image", "images"]));
    expect(await attempt({ image: `http://127.0.0.1:${origin.port}/x.png?signature=secret` })).toBe(
      `The input file could not be fetched: image (http://127.0.0.1:${origin.port}/x.png): its address 127.0.0.1 is a loopback address, which this server does not fetch from`,
    );
    expect(await attempt({ images: ["data:text/plain,0123456789"] })).toBe(
      "The input file could not be fetched: images.0 (a data: URI): it is larger than the 8 bytes limit for input files",
    );
    expect(await attempt({ image: "file:///etc/passwd" })).toBe(
      "The input file could not be fetched: image (file:///etc/passwd): only http, https and data URLs are accepted for files",
    );
    expect(origin.hits()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});
