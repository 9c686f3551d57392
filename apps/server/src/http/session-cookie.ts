// The web UI's sign-in: an API token kept in an http-only cookie, so page scripts never hold it. A cookie is sent
// by the browser on its own, so requests that change state with it must also prove they come from Ferry's pages.
import fastifyCookie from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export const SESSION_COOKIE = "ferry_session";
/** Any value will do: a cross-site form cannot set a custom header, and a cross-site fetch needs a preflight. */
export const CSRF_HEADER = "x-ferry-csrf";

/** Methods that read only; QUERY is safe by definition (and cross-site, needs a preflight anyway). */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "QUERY"]);
/** Session length: a browser tab left signed in for a month is long enough. */
const SESSION_MAX_AGE_S = 30 * 24 * 3600;

/** Registers cookie parsing on the root instance (the plugin is global by design). */
export async function installSessionCookies(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCookie);
}

/** The token of the session cookie, or null. */
export function sessionTokenOf(request: FastifyRequest): string | null {
  const value = request.cookies?.[SESSION_COOKIE];
  return typeof value === "string" && value.length > 0 ? value : null;
}

export function setSessionCookie(reply: FastifyReply, token: string, publicUrl: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "strict",
    secure: publicUrl.startsWith("https:"),
    maxAge: SESSION_MAX_AGE_S,
  });
}

export function clearSessionCookie(reply: FastifyReply, publicUrl: string): void {
  reply.clearCookie(SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "strict", secure: publicUrl.startsWith("https:") });
}

/**
 * Whether a cookie-authenticated request may go ahead: reads always; writes only with the custom header or an
 * Origin equal to the public URL's (the Host header is not trusted for this: DNS rebinding controls it).
 */
export function passesCsrfCheck(request: FastifyRequest, publicUrl: string): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  if (request.headers[CSRF_HEADER] !== undefined) return true;
  const origin = request.headers.origin;
  if (typeof origin !== "string" || origin === "null") return false;
  return origin === new URL(publicUrl).origin;
}
