// API tokens (a Ferry extension, for the web UI's account page):
//   GET    /v1/tokens        {"results": [{"id","name","created_at"}]}  (values are never stored, so never shown)
//   POST   /v1/tokens        {"name"?} → 201 {"id","name","created_at","token": "r8_…"}  (the value, this once)
//   DELETE /v1/tokens/{id}   204; the token stops working at once
import type { FastifyInstance } from "fastify";
import { FerryError } from "@ferry/core";
import type { ApiTokenRecord } from "@ferry/core";
import { accountOf } from "../http/auth.js";
import type { RouteDeps } from "./deps.js";

const ID_PARAMS = { type: "object", properties: { id: { type: "string" } }, required: ["id"] } as const;
const MAX_NAME_LENGTH = 100;

export function tokenRoutes(v1: FastifyInstance, { engine }: Pick<RouteDeps, "engine">): void {
  v1.get("/tokens", async (request) => {
    const tokens = await engine.accounts.listTokens(accountOf(request));
    return { results: tokens.map(serializeToken) };
  });

  v1.post<{ Body: { name?: unknown } | undefined }>("/tokens", async (request, reply) => {
    const name = tokenName(request.body);
    const { token, value } = await engine.accounts.createToken(accountOf(request), name);
    reply.code(201);
    return { ...serializeToken(token), token: value };
  });

  v1.delete<{ Params: { id: string } }>("/tokens/:id", { schema: { params: ID_PARAMS } }, async (request, reply) => {
    await engine.accounts.revokeToken(accountOf(request), request.params.id);
    return reply.code(204).send();
  });
}

function tokenName(body: unknown): string {
  if (body === undefined || body === null) return "token";
  if (typeof body !== "object" || Array.isArray(body)) throw new FerryError("validation_failed", "The request body must be a JSON object");
  const name = (body as { name?: unknown }).name;
  if (name === undefined || name === null) return "token";
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_NAME_LENGTH) {
    throw new FerryError("validation_failed", `name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  }
  return name.trim();
}

function serializeToken(token: ApiTokenRecord): { id: string; name: string; created_at: string } {
  return { id: token.id, name: token.name, created_at: token.createdAt };
}
