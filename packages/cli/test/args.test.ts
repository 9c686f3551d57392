// `ferry runner`'s command line: what it accepts, its defaults, and a clear message for every mistake.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { UsageError, parseCommand } from "../src/index.js";

const BIN = fileURLToPath(new URL("../bin/ferry.js", import.meta.url));
const base = ["runner", "--api", "http://ferry.internal:8080/", "--token", "runner-token-0123456789"];

describe("ferry runner's arguments", () => {
  test("reads every flag, with defaults for the optional ones", () => {
    expect(parseCommand(base, {})).toEqual({
      command: "runner",
      apiUrl: "http://ferry.internal:8080",
      token: "runner-token-0123456789",
      hardware: ["cpu"],
      maxInstances: 4,
      name: null,
      drainMs: 60_000,
      heartbeatIntervalMs: 2_000,
      logLevel: "info",
    });
    expect(parseCommand([...base, "--hardware", "gpu-t4,cpu", "--max-instances", "2", "--name", "gpu-box", "--drain-timeout", "0"], {})).toMatchObject({
      hardware: ["cpu", "gpu-t4"],
      maxInstances: 2,
      name: "gpu-box",
      drainMs: 0,
    });
  });

  test("takes the token from FERRY_RUNNER_TOKEN when --token is not given", () => {
    expect(parseCommand(["runner", "--api", "http://a:1"], { FERRY_RUNNER_TOKEN: "from-env-0123456789" })).toMatchObject({ token: "from-env-0123456789" });
  });

  test.each([
    [["runner", "--token", "t"], /--api is required/],
    [["runner", "--api", "http://a:1"], /--token is required/],
    [["runner", "--api", "ftp://a", "--token", "t"], /--api must be an http/],
    [[...base, "--max-instances", "many"], /--max-instances must be a whole number, not "many"/],
    [[...base, "--max-instances", "0"], /--max-instances must be between 1 and 1024/],
    [[...base, "--hardware", "GPU"], /--hardware: Invalid hardware name "GPU"/],
    [[...base, "--log-level", "loud"], /--log-level must be one of/],
    [[...base, "--gpus", "1"], /Unknown option '--gpus'/],
    [["serve"], /Unknown command "serve"/],
    [[...base, "extra"], /Unexpected argument "extra"/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseCommand(argv, {})).toThrow(UsageError);
    expect(() => parseCommand(argv, {})).toThrow(message);
  });

  test("the ferry command prints its usage, and exits 2 with the reason on a bad flag", () => {
    const help = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8", timeout: 30_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ferry runner --api URL --token TOKEN/);

    const bad = spawnSync(process.execPath, [BIN, "runner", "--api", "http://a:1", "--token", "t", "--max-instances", "x"], { encoding: "utf8", timeout: 30_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^ferry: --max-instances must be a whole number/);
  });
});
