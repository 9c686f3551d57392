// The file settings: the upload limit, and where file bytes live (the data folder, or an S3-compatible bucket).
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config.js";
import { blobStoreFromConfig } from "../src/files/blob-store-from-config.js";

const CWD = "/srv/ferry";

describe("file configuration", () => {
  it("defaults to 100 MiB uploads kept in the data folder", () => {
    const config = parseConfig({}, CWD);
    expect(config).toMatchObject({ maxUploadBytes: 100 * 1024 * 1024, s3: null });
    expect(blobStoreFromConfig(config).description).toBe("/srv/ferry/.ferry/blobs");
  });

  it.each([
    [{ FERRY_MAX_UPLOAD_BYTES: "1048576" }, { maxUploadBytes: 1_048_576 }],
    [
      { FERRY_S3_BUCKET: "ferry-files" },
      { s3: { bucket: "ferry-files", endpoint: null, region: "us-east-1", forcePathStyle: false } },
    ],
    [
      { FERRY_S3_BUCKET: "ferry-files", FERRY_S3_ENDPOINT: "http://127.0.0.1:9000", FERRY_S3_REGION: "eu-west-3" },
      { s3: { bucket: "ferry-files", endpoint: "http://127.0.0.1:9000", region: "eu-west-3", forcePathStyle: true } },
    ],
    [
      { FERRY_S3_BUCKET: "ferry-files", FERRY_S3_ENDPOINT: "https://s3.example.com", FERRY_S3_FORCE_PATH_STYLE: "false" },
      { s3: { bucket: "ferry-files", endpoint: "https://s3.example.com", region: "us-east-1", forcePathStyle: false } },
    ],
    [{ FERRY_S3_BUCKET: "ferry-files", FERRY_S3_FORCE_PATH_STYLE: "1" }, { s3: { forcePathStyle: true } }],
  ])("reads %j", (env, expected) => {
    expect(parseConfig(env, CWD)).toMatchObject(expected);
  });

  it("describes an S3 blob store by its bucket and endpoint", () => {
    const config = parseConfig({ FERRY_S3_BUCKET: "ferry-files", FERRY_S3_ENDPOINT: "http://127.0.0.1:9000" }, CWD);
    expect(blobStoreFromConfig(config).description).toBe("s3://ferry-files at http://127.0.0.1:9000");
  });

  it.each([
    [{ FERRY_MAX_UPLOAD_BYTES: "100MB" }, "FERRY_MAX_UPLOAD_BYTES must be a whole number"],
    [{ FERRY_MAX_UPLOAD_BYTES: "0" }, "FERRY_MAX_UPLOAD_BYTES must be between 1 and"],
    [{ FERRY_S3_BUCKET: "Not_A_Bucket" }, "FERRY_S3_BUCKET must be an S3 bucket name"],
    [{ FERRY_S3_BUCKET: "ferry", FERRY_S3_ENDPOINT: "minio:9000" }, "FERRY_S3_ENDPOINT must be an absolute http:// or https:// URL"],
    [{ FERRY_S3_BUCKET: "ferry", FERRY_S3_REGION: "EU West" }, "FERRY_S3_REGION must be a region name"],
    [{ FERRY_S3_BUCKET: "ferry", FERRY_S3_FORCE_PATH_STYLE: "yes" }, "FERRY_S3_FORCE_PATH_STYLE must be true or false"],
    [{ FERRY_S3_ENDPOINT: "http://127.0.0.1:9000" }, "FERRY_S3_ENDPOINT needs FERRY_S3_BUCKET"],
  ])("rejects %j", (env, message) => {
    expect(() => parseConfig(env, CWD)).toThrow(ConfigError);
    expect(() => parseConfig(env, CWD)).toThrow(message);
  });
});
