// The official replicate client pointed at a test server, changing nothing but baseUrl (and auth).
import Replicate from "replicate";
import type { RunningServer } from "./server.js";

export function clientFor(server: RunningServer, options: { auth?: string; fetch?: typeof fetch } = {}): Replicate {
  return new Replicate({ auth: options.auth ?? server.token, baseUrl: server.apiUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
}

/** A fetch that adds headers to every request: how a user sends Cancel-After with the JS client. */
export function fetchWithHeaders(headers: Record<string, string>): typeof fetch {
  return (input, init) => {
    const merged = new Headers(init?.headers);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return fetch(input, { ...init, headers: merged });
  };
}

/** Polls a prediction until `until` holds, bounded in time. */
export async function pollPrediction(
  replicate: Replicate,
  id: string,
  until: (p: { status: string }) => boolean,
  timeoutMs = 60_000,
): Promise<Awaited<ReturnType<Replicate["predictions"]["get"]>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const prediction = await replicate.predictions.get(id);
    if (until(prediction)) return prediction;
    if (Date.now() > deadline) throw new Error(`prediction ${id} still ${prediction.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
