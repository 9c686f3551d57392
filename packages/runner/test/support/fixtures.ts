// Versions of the fixture models under test/fixtures, as a control plane would describe them to a runner.
import { fileURLToPath } from "node:url";
import type { RuntimeSpec, VersionRuntime } from "@ferry/core";

export const fixturePath = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let counter = 0;

/** A version of a defineModel fixture (test/fixtures/<name>.ts), run by the SDK's instance bin. */
export function nodeVersion(
  name: string,
  options: { concurrency?: number; iterator?: boolean; env?: Record<string, string>; fileInputs?: string[] } = {},
): VersionRuntime {
  const runtime: RuntimeSpec = { kind: "node", entry: fixturePath(`${name}.ts`), concurrency: options.concurrency ?? 1, env: options.env };
  return version(`fixtures/${name}`, runtime, options.iterator ?? false, options.fileInputs);
}

/** A version of a hand-written Cog server in test/fixtures/<file>, started as `node <file> --port {port} <args>`. */
export function commandVersion(file: string, args: string[] = [], options: { fileInputs?: string[] } = {}): VersionRuntime {
  const runtime: RuntimeSpec = { kind: "command", command: process.execPath, args: [fixturePath(file), "--port", "{port}", ...args], concurrency: 1 };
  return version(`fixtures/${file}`, runtime, false, options.fileInputs);
}

/** A version of the hand-written Cog server, started as a plain command with `{port}` in its arguments. */
export function rawVersion(options: { concurrency?: number; env?: Record<string, string> } = {}): VersionRuntime {
  const runtime: RuntimeSpec = {
    kind: "command",
    command: process.execPath,
    args: [fixturePath("raw-cog-server.mjs"), "--port", "{port}"],
    concurrency: options.concurrency ?? 1,
    env: options.env,
  };
  return version("fixtures/raw", runtime, false);
}

function version(model: string, runtime: RuntimeSpec, outputIsIterator: boolean, fileInputs?: string[]): VersionRuntime {
  counter += 1;
  const versionId = `${counter.toString(16).padStart(2, "0")}${"0".repeat(62)}`;
  return { versionId, model, runtime, outputIsIterator, ...(fileInputs !== undefined ? { fileInputs } : {}) };
}
