// Every call the UI makes: same-origin fetches to the public API, authenticated by the session cookie. The custom
// header is what the server's CSRF check asks of cookie-borne writes.

/** An API failure, with the server's problem+json `detail` as a sentence a person can read. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Fired when a call finds the session gone, so the app can show the sign-in page. */
export const UNAUTHENTICATED_EVENT = "ferry:unauthenticated";

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { "X-Ferry-CSRF": "1", Accept: "application/json", ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (typeof options.body === "string") {
    // Plain text: the body of QUERY /v1/models (model search).
    headers["Content-Type"] = "text/plain";
    body = options.body;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(toPath(path), { method: options.method ?? "GET", headers, body, credentials: "same-origin", signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError("Ferry could not be reached. Check that the server is running and try again.", 0);
  }
  if (!response.ok) {
    const error = new ApiError(await problemMessage(response), response.status);
    if (response.status === 401 && !path.startsWith("/auth/")) window.dispatchEvent(new Event(UNAUTHENTICATED_EVENT));
    throw error;
  }
  if (response.status === 204 || response.status === 202) return undefined as T;
  const type = response.headers.get("content-type") ?? "";
  return (type.includes("json") ? await response.json() : await response.text()) as T;
}

/** The API returns absolute URLs (urls.get, next); the UI fetches them on its own origin. */
function toPath(pathOrUrl: string): string {
  if (!/^https?:\/\//.test(pathOrUrl)) return pathOrUrl;
  const url = new URL(pathOrUrl);
  return url.pathname + url.search;
}

async function problemMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
    if (typeof problem.detail === "string" && problem.detail.trim() !== "") return problem.detail.trim();
    if (typeof problem.title === "string") return problem.title;
  } catch {
    // not JSON: fall through to a plain sentence
  }
  if (response.status === 404) return "That was not found.";
  if (response.status >= 500) return "The server ran into a problem. Try again in a moment.";
  return `The request failed (${response.status} ${response.statusText}).`;
}

/** The message to show for anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
