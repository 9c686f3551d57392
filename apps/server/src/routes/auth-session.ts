// The web UI's sign-in: POST /auth/session {"token": "r8_…"} checks the token and keeps it in an http-only cookie;
// DELETE /auth/session signs out. Outside /v1: these are not part of the Replicate API.
import type { FastifyInstance } from "fastify";
import { FerryError } from "@ferry/core";
import type { Engine } from "@ferry/engine";
import { clearSessionCookie, passesCsrfCheck, setSessionCookie } from "../http/session-cookie.js";
import { serializeAccount } from "../serializers/account.js";

export interface AuthSessionOptions {
  engine: Engine;
  publicUrl: string;
}

export function authSessionRoutes(app: FastifyInstance, { engine, publicUrl }: AuthSessionOptions): void {
  app.post<{ Body: { token?: unknown } | undefined }>("/auth/session", async (request, reply) => {
    // Signing in from another site would plant the attacker's session (login CSRF): same origin or the header only.
    if (!passesCsrfCheck(request, publicUrl)) throw new FerryError("forbidden", "Sign in from Ferry's own pages");
    const token = request.body?.token;
    if (typeof token !== "string" || token.trim() === "") {
      throw new FerryError("validation_failed", "Send your API token as {\"token\": \"r8_…\"}");
    }
    const account = await engine.accounts.authenticate(token.trim());
    if (account === null) throw new FerryError("unauthenticated", "That API token is not valid");
    setSessionCookie(reply, token.trim(), publicUrl);
    return serializeAccount(account);
  });

  app.delete("/auth/session", async (request, reply) => {
    if (!passesCsrfCheck(request, publicUrl)) throw new FerryError("forbidden", "Sign out from Ferry's own pages");
    clearSessionCookie(reply, publicUrl);
    reply.code(204);
    return reply.send();
  });
}
