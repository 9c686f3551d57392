// Configuration is parsed once from the environment; every invalid value stops the start with a clear message.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";

const CWD = "/srv/ferry";

describe("parseConfig", () => {
  it("gives the documented defaults for an empty environment", () => {
    const config = parseConfig({}, CWD);
    expect(config).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      dataDir: "/srv/ferry/.ferry",
      databaseUrl: null,
      publicUrl: "http://localhost:8080",
      bootstrapToken: null,
      bootstrapUsername: "admin",
      logLevel: "info",
      instanceIdleTimeoutMs: 300_000,
      maxInstances: 4,
    });
    expect(config.modelsDir).toBe(resolve(import.meta.dirname, "../../../models"));
  });

  it.each([
    [{ PORT: "9000" }, { port: 9000, publicUrl: "http://localhost:9000" }],
    [{ HOST: "127.0.0.1" }, { host: "127.0.0.1" }],
    [{ FERRY_DATA_DIR: "data" }, { dataDir: "/srv/ferry/data" }],
    [{ FERRY_DATA_DIR: "/var/lib/ferry" }, { dataDir: "/var/lib/ferry" }],
    [{ DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test" }, { databaseUrl: "postgres://postgres@127.0.0.1:5432/test" }],
    [{ DATABASE_URL: "postgresql://db/ferry" }, { databaseUrl: "postgresql://db/ferry" }],
    [{ DATABASE_URL: "" }, { databaseUrl: null }],
    [{ FERRY_PUBLIC_URL: "https://ferry.example.com/" }, { publicUrl: "https://ferry.example.com" }],
    [{ FERRY_PUBLIC_URL: "https://example.com/ferry//" }, { publicUrl: "https://example.com/ferry" }],
    [{ FERRY_BOOTSTRAP_TOKEN: "r8_secret_token_value" }, { bootstrapToken: "r8_secret_token_value" }],
    [{ FERRY_BOOTSTRAP_USERNAME: "acme" }, { bootstrapUsername: "acme" }],
    [{ FERRY_LOG_LEVEL: "debug" }, { logLevel: "debug" }],
    [{ FERRY_MODELS_DIR: "my-models" }, { modelsDir: "/srv/ferry/my-models" }],
    [{ FERRY_INSTANCE_IDLE_TIMEOUT: "30" }, { instanceIdleTimeoutMs: 30_000 }],
    [{ FERRY_INSTANCE_IDLE_TIMEOUT: "0" }, { instanceIdleTimeoutMs: 0 }],
    [{ FERRY_MAX_INSTANCES: "16" }, { maxInstances: 16 }],
    [{ PORT: " 8081 " }, { port: 8081 }],
  ])("reads %j", (env, expected) => {
    expect(parseConfig(env, CWD)).toMatchObject(expected);
  });

  it.each([
    [{ PORT: "eighty" }, "PORT must be a whole number"],
    [{ PORT: "70000" }, "PORT must be between 0 and 65535"],
    [{ PORT: "-1" }, "PORT must be a whole number"],
    [{ DATABASE_URL: "mysql://db" }, "DATABASE_URL must be a postgres:// URL"],
    [{ FERRY_PUBLIC_URL: "localhost:8080" }, "FERRY_PUBLIC_URL must be an absolute http:// or https:// URL"],
    [{ FERRY_PUBLIC_URL: "ftp://example.com" }, "FERRY_PUBLIC_URL must be an absolute http:// or https:// URL"],
    [{ FERRY_BOOTSTRAP_TOKEN: "short" }, "FERRY_BOOTSTRAP_TOKEN must be at least 8 characters"],
    [{ FERRY_BOOTSTRAP_USERNAME: "Not Valid" }, "FERRY_BOOTSTRAP_USERNAME must use lowercase letters"],
    [{ FERRY_LOG_LEVEL: "verbose" }, "FERRY_LOG_LEVEL must be one of"],
    [{ FERRY_INSTANCE_IDLE_TIMEOUT: "5m" }, "FERRY_INSTANCE_IDLE_TIMEOUT must be a whole number"],
    [{ FERRY_MAX_INSTANCES: "0" }, "FERRY_MAX_INSTANCES must be between 1 and 1024"],
  ])("rejects %j", (env, message) => {
    expect(() => parseConfig(env, CWD)).toThrow(ConfigError);
    expect(() => parseConfig(env, CWD)).toThrow(message);
  });

  it("lists every invalid variable in one error", () => {
    try {
      parseConfig({ PORT: "x", FERRY_MAX_INSTANCES: "none" }, CWD);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(2);
      expect((error as ConfigError).message).toMatch(/^Invalid configuration:\n {2}- /);
    }
  });

  it("never repeats a rejected token in its message", () => {
    expect(() => parseConfig({ FERRY_BOOTSTRAP_TOKEN: "has space" }, CWD)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("has space") }),
    );
  });

  it("ignores variables it does not know", () => {
    expect(() => parseConfig({ HOME: "/root", REPLICATE_API_TOKEN: "x" }, CWD)).not.toThrow();
  });
});
