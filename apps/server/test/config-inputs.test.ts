// The settings for file inputs the runner downloads: size and time limits, and the hosts allowed besides public ones.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";

const CWD = "/srv/ferry";

describe("input file configuration", () => {
  it("defaults to 100 MiB, 60 s and no extra allowed hosts", () => {
    expect(parseConfig({}, CWD).inputs).toEqual({ maxBytes: 100 * 1024 * 1024, timeoutMs: 60_000, allowedHosts: [] });
  });

  it("reads the limits and a comma-separated allow list of host names, addresses and CIDRs", () => {
    const config = parseConfig(
      { FERRY_MAX_INPUT_BYTES: "1048576", FERRY_INPUT_TIMEOUT: "5", FERRY_ALLOWED_INPUT_HOSTS: " 127.0.0.1, files.internal ,10.0.0.0/8,fd00::/8," },
      CWD,
    );
    expect(config.inputs).toEqual({ maxBytes: 1_048_576, timeoutMs: 5_000, allowedHosts: ["127.0.0.1", "files.internal", "10.0.0.0/8", "fd00::/8"] });
  });

  it.each([
    [{ FERRY_MAX_INPUT_BYTES: "1GB" }, "FERRY_MAX_INPUT_BYTES must be a whole number"],
    [{ FERRY_INPUT_TIMEOUT: "0" }, "FERRY_INPUT_TIMEOUT must be between 1 and"],
    [{ FERRY_ALLOWED_INPUT_HOSTS: "127.0.0.1,http://files.internal" }, 'FERRY_ALLOWED_INPUT_HOSTS: "http://files.internal" is not a host name, IP address or CIDR'],
    [{ FERRY_ALLOWED_INPUT_HOSTS: "10.0.0.0/40" }, 'FERRY_ALLOWED_INPUT_HOSTS: "10.0.0.0/40" is not a host name'],
  ])("rejects %j", (env, message) => {
    expect(() => parseConfig(env, CWD)).toThrow(ConfigError);
    expect(() => parseConfig(env, CWD)).toThrow(message);
  });
});
