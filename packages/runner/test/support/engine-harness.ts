// The real control plane: packages/engine on packages/store with a SQLite file in a temp folder, and a runner on it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { versionIdOf } from "@ferry/core";
import type { Account, RuntimeSpec, Store, Version } from "@ferry/core";
import { createEngine } from "@ferry/engine";
import type { Engine } from "@ferry/engine";
import { loadModel, openapiSchema } from "@ferry/sdk";
import { createStore } from "@ferry/store";
import { createRunner } from "../../src/index.js";
import type { Runner, RunnerOptions } from "../../src/index.js";
import { fixturePath } from "./fixtures.js";

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export interface EngineHarness {
  engine: Engine;
  store: Store;
  user: Account;
  runner: Runner;
  /** Registers a fixture model: the schema comes from its defineModel, or is given for a raw Cog server. */
  register(name: string, runtime: RuntimeSpec, schema?: Record<string, unknown>): Promise<Version>;
}

export async function startEngineAndRunner(options: Partial<RunnerOptions> = {}): Promise<EngineHarness> {
  const dir = mkdtempSync(join(tmpdir(), "ferry-runner-"));
  const store = await createStore({ kind: "sqlite", path: join(dir, "ferry.db") });
  const engine = createEngine({ store });
  await engine.start();
  const { account: user } = await engine.accounts.bootstrap({ username: "tester", token: "r8_test" });
  const runner = createRunner({ controlPlane: engine.controlPlane, pollIntervalMs: 100, cancelGraceMs: 1_000, ...options });
  await runner.start();
  cleanups.push(async () => {
    await runner.stop();
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    engine,
    store,
    user,
    runner,
    async register(name, runtime, schema) {
      const openapi = schema ?? openapiSchema(await loadModel(fixturePath(`${name}.ts`)));
      const { version } = await engine.models.register({
        owner: "tester",
        name,
        description: null,
        visibility: "private",
        isOfficial: false,
        hardware: "cpu",
        version: { id: versionIdOf(`${name}:${JSON.stringify(runtime)}`), openapiSchema: openapi, runtime, cogVersion: null },
      });
      return version;
    },
  };
}
