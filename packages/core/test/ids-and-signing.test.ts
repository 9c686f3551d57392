// Identifier formats and the signatures other parties verify: Standard Webhooks and capability URLs.
import { describe, expect, it } from "vitest";
import {
  fileDownloadQuery,
  hashToken,
  isPredictionId,
  isVersionId,
  newApiToken,
  newPredictionId,
  newWebhookMessageId,
  newWebhookSecret,
  parseStreamToken,
  signWebhook,
  streamToken,
  verifyFileDownload,
  versionIdOf,
  webhookRetryDelayMs,
  WEBHOOK_MAX_RETRIES,
} from "../src/index.js";

describe("ids", () => {
  it("makes 26-character lowercase base32 prediction ids that differ", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newPredictionId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isPredictionId(id)).toBe(true);
    expect(isPredictionId("ufawqhfynnddngldkgtslldrkq")).toBe(true);
    expect(isPredictionId("UFAWQHFYNNDDNGLDKGTSLLDRKQ")).toBe(false);
  });

  it("names a version by the sha256 of its content", () => {
    expect(versionIdOf("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(isVersionId(versionIdOf("x"))).toBe(true);
    expect(isVersionId("abc")).toBe(false);
  });

  it("makes r8_ tokens of 40 characters and stores only their hash", () => {
    const token = newApiToken();
    expect(token).toMatch(/^r8_[A-Za-z0-9]{37}$/);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
  });
});

describe("webhook signing (Standard Webhooks)", () => {
  it("matches the published test vector", () => {
    const signature = signWebhook(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("makes secrets with exactly one underscore and message ids with the msg_ prefix", () => {
    const secret = newWebhookSecret();
    expect(secret.split("_")).toHaveLength(2);
    expect(Buffer.from(secret.split("_")[1]!, "base64")).toHaveLength(24);
    expect(newWebhookMessageId()).toMatch(/^msg_[A-Za-z0-9_-]+$/);
  });

  it("retries the terminal delivery on a doubling schedule and then gives up", () => {
    const delays = Array.from({ length: WEBHOOK_MAX_RETRIES }, (_, i) => webhookRetryDelayMs(i + 1));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000]);
    expect(webhookRetryDelayMs(WEBHOOK_MAX_RETRIES + 1)).toBeNull();
  });
});

describe("capability URLs", () => {
  const key = "test-key";

  it("verifies a signed download until it expires, and not when anything is altered", () => {
    const query = new URLSearchParams(fileDownloadQuery(key, "alice", "file1", 2000));
    const signed = { owner: query.get("owner")!, fileId: "file1", expiry: Number(query.get("expiry")), signature: query.get("signature")! };
    expect(verifyFileDownload(key, signed, 1999)).toBe(true);
    expect(verifyFileDownload(key, signed, 2001)).toBe(false);
    expect(verifyFileDownload(key, { ...signed, owner: "mallory" }, 1999)).toBe(false);
    expect(verifyFileDownload(key, { ...signed, fileId: "file2" }, 1999)).toBe(false);
    expect(verifyFileDownload("other-key", signed, 1999)).toBe(false);
  });

  it("round-trips a stream token and refuses a forged one", () => {
    const token = streamToken(key, "predictionid");
    expect(token).toMatch(/^[a-z]+\.[A-Za-z0-9_-]{32}$/);
    expect(parseStreamToken(key, token)).toBe("predictionid");
    expect(parseStreamToken(key, token.replace("predictionid", "otherid"))).toBeNull();
    expect(parseStreamToken("other-key", token)).toBeNull();
    expect(parseStreamToken(key, "garbage")).toBeNull();
  });
});
