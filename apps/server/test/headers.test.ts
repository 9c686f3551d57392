// The request headers of prediction creation: Prefer (sync wait) and Cancel-After (deadline).
import { describe, expect, it } from "vitest";
import { FerryError } from "@ferry/core";
import { parseCancelAfter } from "../src/http/cancel-after.js";
import { parsePreferWait } from "../src/http/prefer-wait.js";

describe("parsePreferWait", () => {
  it.each([
    ["wait", { seconds: 60, applied: "wait" }],
    ["wait=10", { seconds: 10, applied: "wait=10" }],
    ["wait=1", { seconds: 1, applied: "wait=1" }],
    ["wait=60", { seconds: 60, applied: "wait=60" }],
    ["wait=120", { seconds: 60, applied: "wait=60" }],
    ["wait=0", { seconds: 1, applied: "wait=1" }],
    ["Wait=5", { seconds: 5, applied: "wait=5" }],
    ['wait="7"', { seconds: 7, applied: "wait=7" }],
    ["respond-async, wait=8", { seconds: 8, applied: "wait=8" }],
    ["wait=9; foo=bar", { seconds: 9, applied: "wait=9" }],
  ])("reads %s", (header, expected) => {
    expect(parsePreferWait(header)).toEqual(expected);
  });

  it.each([undefined, "", "respond-async", "wait=", "wait=abc", "wait=7.5", "wait=-3", "waiting"])("ignores %s", (header) => {
    expect(parsePreferWait(header)).toBeNull();
  });
});

describe("parseCancelAfter", () => {
  it.each([
    ["30", 30_000],
    ["5", 5_000],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1h30m45s", 5_445_000],
    ["2m30s", 150_000],
    ["1.5m", 90_000],
    ["7.5", 7_500],
    ["10s500ms", 10_500],
    [" 45s ", 45_000],
  ])("reads %s as %i ms", (header, ms) => {
    expect(parseCancelAfter(header)).toBe(ms);
  });

  it("is null when the header is absent", () => {
    expect(parseCancelAfter(undefined)).toBeNull();
  });

  it.each(["", "abc", "5x", "m", "1d", "30 s", "s30", "-30", "1m1h", "4", "4s", "4999ms"])("rejects %j with a 400", (header) => {
    expect(() => parseCancelAfter(header)).toThrow(FerryError);
    try {
      parseCancelAfter(header);
    } catch (error) {
      expect((error as FerryError).status).toBe(400);
    }
  });
});
