// The catalog's settings: running default examples at start, and the warm instances official models keep.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";

describe("catalog configuration", () => {
  it("runs examples and keeps one warm instance per official model by default", () => {
    expect(parseConfig({}, "/srv")).toMatchObject({ runExamples: true, officialMinInstances: 1 });
  });

  it.each([
    [{ FERRY_RUN_EXAMPLES: "false" }, { runExamples: false }],
    [{ FERRY_RUN_EXAMPLES: "0" }, { runExamples: false }],
    [{ FERRY_RUN_EXAMPLES: "true" }, { runExamples: true }],
    [{ FERRY_OFFICIAL_MIN_INSTANCES: "0" }, { officialMinInstances: 0 }],
    [{ FERRY_OFFICIAL_MIN_INSTANCES: "3" }, { officialMinInstances: 3 }],
  ])("reads %j", (env, expected) => {
    expect(parseConfig(env, "/srv")).toMatchObject(expected);
  });

  it.each([
    [{ FERRY_RUN_EXAMPLES: "yes" }, "FERRY_RUN_EXAMPLES must be true or false"],
    [{ FERRY_OFFICIAL_MIN_INSTANCES: "-1" }, "FERRY_OFFICIAL_MIN_INSTANCES must be a whole number"],
    [{ FERRY_OFFICIAL_MIN_INSTANCES: "65" }, "FERRY_OFFICIAL_MIN_INSTANCES must be between 0 and 64"],
  ])("rejects %j", (env, message) => {
    expect(() => parseConfig(env, "/srv")).toThrow(ConfigError);
    expect(() => parseConfig(env, "/srv")).toThrow(message);
  });
});
