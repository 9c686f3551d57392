// Absolute URLs built from FERRY_PUBLIC_URL: the JS client resolves a relative `next` to /v1/v1/… (spec §7.5).
import { streamToken } from "@ferry/core";
import type { Prediction } from "@ferry/core";

/** The URLs of one prediction, as its JSON carries them. */
export interface PredictionUrls {
  get: string;
  cancel: string;
  web: string;
}

export interface PublicUrls {
  /** The public base, without a trailing slash. */
  readonly base: string;
  prediction(id: string): PredictionUrls;
  /** The model's web page, `<public>/<owner>/<name>`. */
  model(owner: string, name: string): string;
  /**
   * The absolute URL of the next page of a list: `<public><path>?<the request's query>&cursor=<cursor>`,
   * or null at the end of the list.
   */
  page(path: string, query: object | undefined, cursor: string | null): string | null;
  /**
   * The capability URL of a prediction's SSE stream (spec §5.1), or null when it cannot stream (or no signing
   * key was given): `/v1/files/streams/<token>` for file outputs, `/v1/streams/<token>` otherwise.
   */
  stream(prediction: Pick<Prediction, "id" | "canStream" | "streamsFiles">): string | null;
}

/** `signingKey` (engine.signingKey()) signs stream URLs; without it predictions carry no urls.stream. */
export function createPublicUrls(base: string, signingKey?: string): PublicUrls {
  const predictions = `${base}/v1/predictions/`;
  const web = `${base}/p/`;
  return {
    base,
    prediction(id) {
      const get = predictions + id;
      return { get, cancel: `${get}/cancel`, web: web + id };
    },
    stream(prediction) {
      if (!prediction.canStream || signingKey === undefined) return null;
      const token = streamToken(signingKey, prediction.id);
      return prediction.streamsFiles === true ? `${base}/v1/files/streams/${token}` : `${base}/v1/streams/${token}`;
    },
    model(owner, name) {
      return `${base}/${owner}/${name}`;
    },
    page(path, query, cursor) {
      if (cursor === null) return null;
      const params = new URLSearchParams();
      if (query) {
        for (const [key, value] of Object.entries(query)) {
          if (key !== "cursor" && value !== undefined && value !== null) params.append(key, String(value));
        }
      }
      params.append("cursor", cursor);
      return `${base}${path}?${params.toString()}`;
    },
  };
}
