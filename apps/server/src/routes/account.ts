// GET /v1/account: the caller's account (spec §2.8).
import type { FastifyInstance } from "fastify";
import { accountOf } from "../http/auth.js";
import { serializeAccount } from "../serializers/account.js";

export function accountRoutes(v1: FastifyInstance): void {
  v1.get("/account", async (request) => serializeAccount(accountOf(request)));
}
