// Built-in models: every folder with a ferry.json is registered as an official model; one with an invalid
// manifest is skipped; one whose code fails to load is listed as unavailable; a version id is the hash of the
// folder's content.
import { cp, mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@ferry/core";
import type { Logger } from "@ferry/core";
import { folderVersionId, registerBuiltinModels } from "../src/builtin-models.js";
import { startHarness } from "./support/harness.js";
import type { Harness } from "./support/harness.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "models");
const OPTIONS = { publicUrl: "https://ferry.test" };

function recordingLogger(): Logger & { errors: object[] } {
  const errors: object[] = [];
  return { ...silentLogger, error: (obj) => void errors.push(obj), errors };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("registerBuiltinModels", () => {
  it("registers the good models, lists the one that fails to load as unavailable, skips an invalid manifest", async () => {
    const log = recordingLogger();
    const result = await registerBuiltinModels(h.engine, FIXTURES, log, OPTIONS);
    expect(result.registered.map((r) => r.model)).toEqual(["fixtures/broken", "fixtures/tiny"]);
    expect(result.failed.map((f) => f.folder.split("/").pop())).toEqual(["bad-manifest"]);
    expect(result.failed[0]!.error).toContain("ferry.json is invalid");
    expect(log.errors).toHaveLength(1);
    const broken = result.registered[0]!;
    expect(broken).toMatchObject({ versionId: null });
    expect(broken.unavailableReason).toContain("its code failed to load");
    expect(broken.unavailableReason).toContain("defineModel");
    const listed = await h.call({ method: "GET", url: "/v1/models/fixtures/broken" });
    expect(listed.json()).toMatchObject({ latest_version: null, unavailable_reason: broken.unavailableReason });

    const res = await h.call({ method: "GET", url: "/v1/models/fixtures/tiny" });
    expect(res.statusCode).toBe(200);
    const model = res.json();
    expect(model).toMatchObject({
      owner: "fixtures",
      name: "tiny",
      description: "Doubles a number.",
      is_official: true,
      license_url: "https://www.apache.org/licenses/LICENSE-2.0",
      github_url: null,
      latest_version: { id: result.registered[1]!.versionId },
    });
    expect(model.latest_version.openapi_schema.components.schemas.Input.properties.n).toMatchObject({ type: "number" });
    const readme = await h.call({ method: "GET", url: "/v1/models/fixtures/tiny/readme" });
    expect(readme.body).toBe("# tiny\n\nDoubles a number.\n");

    const version = await h.store.versions.get(result.registered[1]!.versionId!);
    expect(version?.runtime).toEqual({ kind: "node", entry: join(FIXTURES, "tiny", "src", "predict.ts"), concurrency: 3 });
  });

  it("gives the same version id when registered again", async () => {
    const again = await registerBuiltinModels(h.engine, FIXTURES, silentLogger, OPTIONS);
    const versions = await h.call({ method: "GET", url: "/v1/models/fixtures/tiny/versions" });
    expect(versions.json<{ results: { id: string }[] }>().results.map((v) => v.id)).toEqual([again.registered[1]!.versionId]);
  });

  it("registers nothing, without failing, when the models folder does not exist", async () => {
    const result = await registerBuiltinModels(h.engine, join(FIXTURES, "missing"), silentLogger, OPTIONS);
    expect(result).toEqual({ registered: [], failed: [], assets: new Map() });
  });
});

describe("folderVersionId", () => {
  const schema = { components: { schemas: {} } };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ferry-version-id-"));
    await cp(join(FIXTURES, "tiny"), join(dir, "tiny"), { recursive: true });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("ignores node_modules, test, dist and dot-files", async () => {
    const folder = join(dir, "tiny");
    const before = await folderVersionId(folder, schema);
    for (const sub of ["node_modules", "test", "dist"]) {
      await mkdir(join(folder, sub), { recursive: true });
      await writeFile(join(folder, sub, "extra.js"), "changed");
    }
    await writeFile(join(folder, ".DS_Store"), "x");
    expect(await folderVersionId(folder, schema)).toBe(before);
  });

  it("changes when a file, a file name or the schema changes", async () => {
    const folder = join(dir, "tiny");
    const before = await folderVersionId(folder, schema);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(await folderVersionId(folder, { other: true })).not.toBe(before);
    await writeFile(join(folder, "README.md"), "# tiny, edited\n");
    const edited = await folderVersionId(folder, schema);
    expect(edited).not.toBe(before);
    await writeFile(join(folder, "NOTES.md"), "");
    expect(await folderVersionId(folder, schema)).not.toBe(edited);
  });
});
