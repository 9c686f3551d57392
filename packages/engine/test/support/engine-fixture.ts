// One real store (a SQLite file in a temp folder, or a PostgreSQL schema) per test, an engine on a fake
// clock, and builders for the accounts, models and versions tests run predictions against.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId, versionIdOf } from "@ferry/core";
import type { Account, Model, Store, Version } from "@ferry/core";
import { createStore } from "@ferry/store";
import { assembleEngine } from "../../src/create-engine.js";
import type { BackgroundLoops } from "../../src/background-loops.js";
import type { Engine, EngineOptions, RegisterModelRequest } from "../../src/engine-types.js";
import { createFakeClock } from "./fake-clock.js";
import type { FakeClock } from "./fake-clock.js";

export const TEXT_INPUT_SCHEMA = {
  type: "object",
  title: "Input",
  required: ["prompt"],
  properties: {
    prompt: { type: "string", title: "Prompt", "x-order": 0 },
    num_inference_steps: { type: "integer", title: "Num Inference Steps", minimum: 1, maximum: 4, default: 4, "x-order": 1 },
    guidance: { type: "number", title: "Guidance", exclusiveMinimum: 0, exclusiveMaximum: 10, "x-order": 2 },
    image: { type: "string", title: "Image", format: "uri", nullable: true, "x-order": 3 },
    style: { allOf: [{ $ref: "#/components/schemas/style" }], default: "fast", "x-order": 4 },
    seed: { type: "integer", title: "Seed", nullable: true, "x-order": 5 },
    code: { type: "string", title: "Code", pattern: "^[a-z]+$", minLength: 2, maxLength: 5, "x-order": 6 },
    tags: { type: "array", title: "Tags", items: { type: "string" }, maxItems: 2, "x-order": 7 },
    api_key: { type: "string", title: "Api Key", format: "password", "x-cog-secret": true, nullable: true, "x-order": 8 },
  },
};

const STYLE_ENUM = { title: "style", description: "An enumeration.", type: "string", enum: ["fast", "balanced", "quality"] };

export function cogSchema(output: Record<string, unknown>, input: Record<string, unknown> = TEXT_INPUT_SCHEMA): Record<string, unknown> {
  return {
    openapi: "3.0.2",
    info: { title: "Cog", version: "0.1.0" },
    paths: {},
    components: { schemas: { Input: input, style: STYLE_ENUM, Output: output } },
  };
}

export const STRING_OUTPUT = { type: "string", title: "Output" };
export const ITERATOR_OUTPUT = {
  type: "array",
  title: "Output",
  items: { type: "string" },
  "x-cog-array-type": "iterator",
  "x-cog-array-display": "concatenate",
};

export interface EngineFixture {
  store: Store;
  clock: FakeClock;
  engine: Engine;
  loops: BackgroundLoops;
  /** The bootstrap user. */
  user: Account;
  userToken: string;
  /** A second user, for visibility tests. */
  other: Account;
  /** A public model of `user` with a string output, and its version. */
  model: Model;
  version: Version;
  register(overrides?: Partial<RegisterModelRequest> & { output?: Record<string, unknown> }): Promise<{ model: Model; version: Version }>;
  /** Another engine on the same store, as a second API process would be. */
  sibling(options?: EngineOptions): { engine: Engine; loops: BackgroundLoops };
  /** A second connection to the same database (another process's store), closed with the fixture. */
  secondStore(): Promise<Store>;
  close(): Promise<void>;
}

export type StoreKind = "sqlite" | "postgres";

export const POSTGRES_URL = process.env["FERRY_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test";

export async function openTestStore(kind: StoreKind = "sqlite"): Promise<{ store: Store; open(): Promise<Store>; cleanup(): Promise<void> }> {
  if (kind === "postgres") {
    const schema = `engine_${newId().slice(0, 12)}`;
    const open = () => createStore({ kind: "postgres", url: POSTGRES_URL, schema, poolSize: 4 });
    const store = await open();
    return {
      store,
      open,
      async cleanup() {
        const pg = (await import("pg")).default;
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "ferry-engine-"));
  const path = join(dir, "ferry.db");
  const open = () => createStore({ kind: "sqlite", path });
  return { store: await open(), open, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function createEngineFixture(options: EngineOptions = {}, kind: StoreKind = "sqlite"): Promise<EngineFixture> {
  const { store, open, cleanup } = await openTestStore(kind);
  const extraStores: Store[] = [];
  const clock = createFakeClock();
  const make = (opts: EngineOptions) => assembleEngine({ store, clock, options: opts });
  const { engine, loops } = make(options);
  const engines = [engine];
  const { account: user, token } = await engine.accounts.bootstrap({ username: "alice" });
  const { account: other } = await engine.accounts.bootstrap({ username: "bob" });

  let counter = 0;
  async function register(overrides: Partial<RegisterModelRequest> & { output?: Record<string, unknown> } = {}) {
    counter += 1;
    const { output, ...rest } = overrides;
    const openapiSchema = cogSchema(output ?? STRING_OUTPUT);
    return engine.models.register({
      owner: user.username,
      name: `model-${counter}`,
      description: "A test model",
      visibility: "public",
      isOfficial: false,
      hardware: "cpu",
      version: {
        id: versionIdOf(`${newId()}${JSON.stringify(openapiSchema)}`),
        openapiSchema,
        runtime: { kind: "node", entry: "model.ts", concurrency: 1 },
        cogVersion: null,
      },
      ...rest,
    });
  }

  const { model, version } = await register({ name: "hello" });
  return {
    store,
    clock,
    engine,
    loops,
    user,
    userToken: token ?? "",
    other,
    model,
    version,
    register,
    sibling(opts = {}) {
      const made = make(opts);
      engines.push(made.engine);
      return made;
    },
    async secondStore() {
      const extra = await open();
      extraStores.push(extra);
      return extra;
    },
    async close() {
      for (const e of engines) await e.stop();
      for (const extra of extraStores) await extra.close();
      await store.close();
      await cleanup();
    },
  };
}

/** Waits for a condition that real concurrency makes true, with a bound. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 2_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
