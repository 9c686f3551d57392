// Authentication for /v1: a `Bearer`/`Token` Authorization header, or the web UI's session cookie. Every request
// there resolves to an account or gets a 401; cookie-borne writes must also pass the CSRF check (403).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { FerryError } from "@ferry/core";
import type { Account } from "@ferry/core";
import type { Engine } from "@ferry/engine";
import { passesCsrfCheck, sessionTokenOf } from "./session-cookie.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated account; set by the /v1 auth hook, null elsewhere. */
    account: Account | null;
  }
}

/** Declares the request decoration; call once on the root instance. */
export function decorateAccount(app: FastifyInstance): void {
  app.decorateRequest("account", null);
}

/**
 * Adds the auth hook to a scope. It runs before the body is parsed, so unauthenticated bodies are never read.
 * The header wins over the cookie: API clients never send cookies, and a header cannot be forged cross-site.
 */
export function requireAuthentication(scope: FastifyInstance, engine: Engine, publicUrl: string): void {
  scope.addHook("onRequest", async (request) => {
    const headerToken = tokenOf(request.headers.authorization);
    const token = headerToken ?? (request.headers.authorization === undefined ? sessionTokenOf(request) : null);
    const account = token === null ? null : await engine.accounts.authenticate(token);
    if (account === null) throw new FerryError("unauthenticated");
    if (headerToken === null && !passesCsrfCheck(request, publicUrl)) {
      throw new FerryError("forbidden", "A signed-in browser request that changes something must come from Ferry's own pages");
    }
    request.account = account;
  });
}

/** The caller of an authenticated route. */
export function accountOf(request: FastifyRequest): Account {
  const account = request.account;
  if (account === null) throw new FerryError("unauthenticated");
  return account;
}

/** Reads `Bearer <t>` or `Token <t>` (scheme case-insensitive); anything else is no token. */
export function tokenOf(header: string | undefined): string | null {
  if (!header) return null;
  const space = header.indexOf(" ");
  if (space <= 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  if (scheme !== "bearer" && scheme !== "token") return null;
  const token = header.slice(space + 1).trim();
  return token.length > 0 ? token : null;
}
