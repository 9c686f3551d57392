// Webhooks: the account's signing secret (spec §2.8), and two Ferry extensions: a prediction's delivery log
// (every message with its attempts) and the re-send of one message under the same webhook-id.
import type { FastifyInstance } from "fastify";
import { accountOf } from "../http/auth.js";
import { serializeWebhookDelivery } from "../serializers/webhook.js";
import type { RouteDeps } from "./deps.js";

const PREDICTION_PARAMS = { type: "object", properties: { id: { type: "string" } }, required: ["id"] } as const;
const MESSAGE_PARAMS = {
  type: "object",
  properties: { id: { type: "string" }, message_id: { type: "string" } },
  required: ["id", "message_id"],
} as const;

export function webhookRoutes(v1: FastifyInstance, { engine }: Pick<RouteDeps, "engine">): void {
  v1.get("/webhooks/default/secret", async (request) => ({ key: await engine.webhooks.secret(accountOf(request)) }));

  v1.get<{ Params: { id: string } }>("/predictions/:id/webhooks", { schema: { params: PREDICTION_PARAMS } }, async (request) => {
    const deliveries = await engine.webhooks.deliveries(accountOf(request), request.params.id);
    return { results: deliveries.map(serializeWebhookDelivery) };
  });

  v1.post<{ Params: { id: string; message_id: string } }>(
    "/predictions/:id/webhooks/:message_id/resend",
    { schema: { params: MESSAGE_PARAMS } },
    async (request, reply) => {
      const delivery = await engine.webhooks.resend(accountOf(request), request.params.id, request.params.message_id);
      reply.code(202);
      return serializeWebhookDelivery(delivery);
    },
  );
}
