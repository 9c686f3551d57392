// GET /v1/hardware: a bare array, not a Page (spec §2.8).
import type { FastifyInstance } from "fastify";
import { HARDWARE } from "../hardware-catalog.js";

const BODY = JSON.stringify(HARDWARE.map(({ name, sku }) => ({ name, sku })));

export function hardwareRoutes(v1: FastifyInstance): void {
  v1.get("/hardware", (_request, reply) => reply.type("application/json; charset=utf-8").send(BODY));
}
