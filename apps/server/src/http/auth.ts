// Bearer and Token authentication for /v1: every request there resolves to an account or gets a 401.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { FerryError } from "@ferry/core";
import type { Account } from "@ferry/core";
import type { Engine } from "@ferry/engine";

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

/** Adds the auth hook to a scope. It runs before the body is parsed, so unauthenticated bodies are never read. */
export function requireAuthentication(scope: FastifyInstance, engine: Engine): void {
  scope.addHook("onRequest", async (request) => {
    const token = tokenOf(request.headers.authorization);
    const account = token === null ? null : await engine.accounts.authenticate(token);
    if (account === null) throw new FerryError("unauthenticated");
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
