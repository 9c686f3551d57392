// A GET over node:http(s) that follows redirects as fetch does, on keep-alive agents: an instance downloads its
// inputs from its runner's 127.0.0.1 server prediction after prediction, and fetch's own machinery plus a fresh
// connection each time cost it about a millisecond a file there.
import http from "node:http";
import type { IncomingMessage } from "node:http";
import https from "node:https";

/** What fetch follows too: up to 20 redirects of these statuses. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

const agents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
};

export interface GetResponse {
  /** The response of the last hop: its body not yet read. */
  response: IncomingMessage;
  /** The URL that answered it (after redirects). */
  url: string;
}

/** GETs `url`, following redirects. Rejects on connection errors, an abort, and too many redirects. */
export async function httpGet(url: string, signal: AbortSignal): Promise<GetResponse> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const response = await getOnce(current, signal);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || location === undefined) return { response, url: current.href };
    response.resume();
    if (hop >= MAX_REDIRECTS) throw new Error("redirect count exceeded");
    current = new URL(location, current);
    if (current.protocol !== "http:" && current.protocol !== "https:") throw new Error(`it redirected to a ${current.protocol} URL`);
  }
}

function getOnce(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  const secure = url.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, {
      method: "GET",
      agent: secure ? agents.https : agents.http,
      signal,
      headers: { accept: "*/*" },
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}
