// Reads the multipart body of POST /v1/files (spec §2.9): the `content` file part is streamed into the blob
// store while it arrives; `metadata` comes as a text field or as a file part (as the JS client sends it);
// `filename` and `type` fields override the content part's own. The whole body is always read, so a client
// that is still sending gets its 413 or 400 as an answer rather than a broken connection.
import type { FastifyRequest } from "fastify";
import { FerryError } from "@ferry/core";
import type { FileService, StagedContent, UploadDetails } from "../files/file-service.js";
import { uploadTooLargeDetail } from "../files/file-service.js";

/** Room for the metadata JSON and the multipart framing around the content. */
const MAX_METADATA_BYTES = 1024 * 1024;
const MAX_FILENAME_BYTES = 255;
const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;.*)?$/i;
const DEFAULT_CONTENT_TYPE = "application/octet-stream";

export interface ReceivedUpload {
  staged: StagedContent;
  details: UploadDetails;
}

/** Reads the upload, its bytes staged in the blob store. On any error nothing stays behind. */
export async function receiveUpload(request: FastifyRequest, files: FileService): Promise<ReceivedUpload> {
  if (!request.isMultipart()) throw invalid("POST /v1/files takes a multipart/form-data body with a `content` file part");
  const tooLarge = () => new FerryError("payload_too_large", uploadTooLargeDetail(files.maxUploadBytes));
  const declared = Number(request.headers["content-length"]);
  if (declared > files.maxUploadBytes + MAX_METADATA_BYTES + 64 * 1024) throw tooLarge();

  let staged: StagedContent | null = null;
  let failure: unknown = null;
  let partName = "";
  let partType = "";
  let metadata: unknown = {};
  let filename: string | undefined;
  let type: string | undefined;
  try {
    const parts = request.parts({
      // Busboy stops passing bytes on at the limit and marks the part truncated; the rest is read and dropped.
      // (The plugin is registered with throwFileSizeLimit false: routes/files.ts.)
      limits: { fileSize: files.maxUploadBytes, fieldSize: MAX_METADATA_BYTES, files: 4, fields: 16, parts: 20 },
    });
    for await (const part of parts) {
      if (failure !== null) {
        if (part.type === "file") part.file.resume();
        continue;
      }
      try {
        if (part.type === "file" && part.fieldname === "content" && staged === null) {
          staged = await files.stage(part.file, part.mimetype || DEFAULT_CONTENT_TYPE);
          if (part.file.truncated) throw tooLarge();
          partName = part.filename;
          partType = part.mimetype;
        } else if (part.type === "file" && part.fieldname === "metadata") {
          metadata = parseMetadata((await readSmall(part.file)).toString("utf8"));
        } else if (part.type === "file") {
          // A part the API does not know: read through and dropped.
          for await (const _chunk of part.file);
        } else if (part.fieldname === "metadata") {
          if (part.valueTruncated) throw invalid("metadata must be at most 1 MiB of JSON");
          metadata = typeof part.value === "string" ? parseMetadata(part.value) : part.value;
        } else if (part.fieldname === "filename") {
          filename = String(part.value);
        } else if (part.fieldname === "type") {
          type = String(part.value);
        }
      } catch (error) {
        failure = error;
      }
    }
    if (failure !== null) throw failure;
    if (staged === null) throw invalid("The `content` file part is required");
    return { staged, details: details(partName, partType, filename, type, metadata) };
  } catch (error) {
    if (staged !== null) await files.discard(staged);
    throw error;
  }
}

function details(partName: string, partType: string, filename: string | undefined, type: string | undefined, metadata: unknown): UploadDetails {
  const name = filename ?? partName;
  if (Buffer.byteLength(name, "utf8") > MAX_FILENAME_BYTES) throw invalid("filename must be at most 255 bytes");
  if (type !== undefined && !MIME_TYPE.test(type)) throw invalid("type must be a MIME type such as image/png");
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) throw invalid("metadata must be a JSON object");
  return { name: name || "file", contentType: type ?? (partType || DEFAULT_CONTENT_TYPE), metadata: metadata as Record<string, unknown> };
}

function parseMetadata(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid("metadata must be a JSON object");
  }
}

/** Reads a small part (metadata sent as a file); a larger one is an error once it has been read through. */
async function readSmall(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size <= MAX_METADATA_BYTES) chunks.push(chunk);
  }
  if (size > MAX_METADATA_BYTES) throw invalid("metadata must be at most 1 MiB of JSON");
  return Buffer.concat(chunks);
}

function invalid(detail: string): FerryError {
  return new FerryError("validation_failed", detail);
}
