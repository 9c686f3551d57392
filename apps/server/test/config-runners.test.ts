// The runner settings: the embedded runner on by default, runner tokens for `ferry runner` processes, and an API
// without a runner of its own refused unless some runner could connect.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";

describe("runner configuration", () => {
  it("has the embedded runner and no runner tokens by default", () => {
    expect(parseConfig({})).toMatchObject({ embeddedRunner: true, runnerTokens: [], spareProcess: true });
  });

  it.each([
    [{ FERRY_RUNNER_TOKEN: "runner-token-0123456789" }, { embeddedRunner: true, runnerTokens: ["runner-token-0123456789"] }],
    [{ FERRY_RUNNER_TOKEN: " new-token-0123456789ab , old-token-0123456789ab " }, { runnerTokens: ["new-token-0123456789ab", "old-token-0123456789ab"] }],
    [{ FERRY_EMBEDDED_RUNNER: "false", FERRY_RUNNER_TOKEN: "runner-token-0123456789" }, { embeddedRunner: false }],
    [{ FERRY_EMBEDDED_RUNNER: "1" }, { embeddedRunner: true }],
    [{ FERRY_SPARE_PROCESS: "false" }, { spareProcess: false }],
  ])("reads %j", (env, expected) => {
    expect(parseConfig(env)).toMatchObject(expected);
  });

  it.each([
    [{ FERRY_RUNNER_TOKEN: "short" }, "FERRY_RUNNER_TOKEN must be at least 16 characters"],
    [{ FERRY_EMBEDDED_RUNNER: "no" }, "FERRY_EMBEDDED_RUNNER must be true or false"],
    [{ FERRY_SPARE_PROCESS: "sometimes" }, "FERRY_SPARE_PROCESS must be true or false"],
    [{ FERRY_EMBEDDED_RUNNER: "false" }, "FERRY_EMBEDDED_RUNNER=false needs FERRY_RUNNER_TOKEN"],
  ])("rejects %j", (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });
});
