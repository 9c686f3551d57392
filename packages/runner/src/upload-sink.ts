// The upload sink on the runner's own server (Cog's --upload-url contract, cog-protocol §1.10): an instance PUTs
// each output file to `<upload url><name>` (the prediction named by the X-Prediction-ID header) or to
// `<upload url><prediction id>/<name>`; the body is streamed to the control plane, and the answer is 201 with the
// file's download URL in Location, which the instance puts in the output.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ControlPlane, Logger } from "@ferry/core";
import { messageOf } from "./prediction-reporter.js";

export interface UploadSinkDeps {
  runnerId: string;
  controlPlane: Pick<ControlPlane, "uploadOutput">;
  /** Whether this runner holds the prediction now: only those take files. */
  holds(predictionId: string): boolean;
  /** An upload of this prediction's output begins (its timeline's uploading_output phase). */
  onUpload?(predictionId: string): void;
  log: Logger;
}

export interface UploadSink {
  /** Handles `PUT /uploads/…`; false when the request is not for this route. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /**
   * Cog servers strip the query off the Location they get (cog-protocol §1.10), and with it the signature of a
   * download link: this gives a prediction's output the full links back for the stripped ones this sink handed out
   * (the same value when there are none).
   */
  restore(predictionId: string, output: unknown): unknown;
  /** Forgets the links of a prediction that is over. */
  forget(predictionId: string): void;
}

/** The path prefix of the upload URL instances are started with. */
export const UPLOAD_PATH = "/uploads/";
const DEFAULT_CONTENT_TYPE = "application/octet-stream";

export function createUploadSink(deps: UploadSinkDeps): UploadSink {
  const { runnerId, controlPlane, log } = deps;
  /** Per prediction: each link handed out, by its form without the query. */
  const links = new Map<string, Map<string, string>>();

  function reply(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (!req.complete) req.resume();
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers }).end(text);
  }

  async function receive(req: IncomingMessage, res: ServerResponse, predictionId: string, name: string): Promise<void> {
    if (!deps.holds(predictionId)) return reply(req, res, 404, { detail: `Prediction ${predictionId} is not running on this runner` });
    deps.onUpload?.(predictionId);
    const contentType = req.headers["content-type"]?.trim() || DEFAULT_CONTENT_TYPE;
    try {
      const { url } = await controlPlane.uploadOutput(runnerId, predictionId, { name, contentType, body: req });
      const stripped = url.split("?")[0] ?? url;
      if (stripped !== url && deps.holds(predictionId)) {
        const known = links.get(predictionId) ?? new Map<string, string>();
        links.set(predictionId, known.set(stripped, url));
      }
      reply(req, res, 201, { url }, { location: url });
    } catch (error) {
      log.warn({ prediction: predictionId, file: name, error: messageOf(error) }, "output upload failed");
      const status = (error as { status?: unknown }).status;
      reply(req, res, typeof status === "number" && status >= 400 && status < 500 ? status : 500, { detail: messageOf(error) });
    }
  }

  return {
    handle(req, res) {
      const path = (req.url ?? "").split("?")[0] ?? "";
      if (!path.startsWith(UPLOAD_PATH)) return false;
      if (req.method !== "PUT") {
        reply(req, res, 405, { detail: "Output files are uploaded with PUT" });
        return true;
      }
      const segments = path.slice(UPLOAD_PATH.length).split("/").map(decodeSegment);
      const header = req.headers["x-prediction-id"];
      const [first, second] = segments;
      let target: { predictionId: string; name: string } | null = null;
      if (segments.length === 2 && first && second) target = { predictionId: first, name: second };
      else if (segments.length === 1 && first && typeof header === "string" && header !== "") target = { predictionId: header, name: first };
      if (target === null) {
        reply(req, res, 400, { detail: "PUT /uploads/<prediction id>/<file name>, or /uploads/<file name> with an X-Prediction-ID header" });
        return true;
      }
      void receive(req, res, target.predictionId, target.name);
      return true;
    },
    restore(predictionId, output) {
      const known = links.get(predictionId);
      return known === undefined ? output : withLinks(output, known);
    },
    forget(predictionId) {
      links.delete(predictionId);
    },
  };
}

function withLinks(value: unknown, known: Map<string, string>): unknown {
  if (typeof value === "string") return known.get(value) ?? value;
  if (Array.isArray(value)) return value.map((item) => withLinks(item, known));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withLinks(item, known)]));
  }
  return value;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}
