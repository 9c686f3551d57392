// The fixed parts of a Cog OpenAPI document: request/response envelopes, enums, validation errors, paths (§3.1, §3.4).
import type { JsonSchema } from "./zod-json.js";

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const dateTime = (title: string): JsonSchema => ({ title, type: "string", format: "date-time" });

/** Components every Cog prediction schema carries besides Input, Output and enum components. */
export function envelopeComponents(): Record<string, JsonSchema> {
  return {
    PredictionRequest: {
      title: "PredictionRequest",
      type: "object",
      properties: {
        input: ref("Input"),
        id: { title: "Id", type: "string" },
        created_at: dateTime("Created At"),
        output_file_prefix: { title: "Output File Prefix", type: "string" },
        webhook: { title: "Webhook", maxLength: 65536, minLength: 1, type: "string", format: "uri" },
        webhook_events_filter: {
          type: "array",
          items: ref("WebhookEvent"),
          default: ["start", "output", "logs", "completed"],
        },
      },
    },
    PredictionResponse: {
      title: "PredictionResponse",
      type: "object",
      properties: {
        input: ref("Input"),
        output: ref("Output"),
        id: { title: "Id", type: "string" },
        version: { title: "Version", type: "string" },
        created_at: dateTime("Created At"),
        started_at: dateTime("Started At"),
        completed_at: dateTime("Completed At"),
        logs: { title: "Logs", type: "string", default: "" },
        error: { title: "Error", type: "string" },
        status: ref("Status"),
        metrics: { title: "Metrics", type: "object" },
      },
    },
    Status: {
      title: "Status",
      description: "An enumeration.",
      enum: ["starting", "processing", "succeeded", "canceled", "failed"],
      type: "string",
    },
    WebhookEvent: {
      title: "WebhookEvent",
      description: "An enumeration.",
      enum: ["start", "output", "logs", "completed"],
      type: "string",
    },
    ValidationError: {
      title: "ValidationError",
      required: ["loc", "msg", "type"],
      type: "object",
      properties: {
        loc: { title: "Location", type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
        msg: { title: "Message", type: "string" },
        type: { title: "Error Type", type: "string" },
      },
    },
    HTTPValidationError: {
      title: "HTTPValidationError",
      type: "object",
      properties: { detail: { title: "Detail", type: "array", items: ref("ValidationError") } },
    },
  };
}

const json = (schema: JsonSchema): JsonSchema => ({ "application/json": { schema } });
const ok = (schema: JsonSchema): JsonSchema => ({ description: "Successful Response", content: json(schema) });
const invalid: JsonSchema = { description: "Validation Error", content: json(ref("HTTPValidationError")) };
const prefer: JsonSchema = { required: false, schema: { title: "Prefer", type: "string" }, name: "prefer", in: "header" };
const idParam = (name: string, title: string): JsonSchema => ({
  required: true,
  schema: { title, type: "string" },
  name,
  in: "path",
});

/** The paths the Python Cog server lists. */
export function cogPaths(): Record<string, JsonSchema> {
  return {
    "/": { get: { summary: "Root", operationId: "root__get", responses: { "200": ok({ title: "Response Root  Get" }) } } },
    "/health-check": {
      get: {
        summary: "Healthcheck",
        operationId: "healthcheck_health_check_get",
        responses: { "200": ok({ title: "Response Healthcheck Health Check Get" }) },
      },
    },
    "/predictions": {
      post: {
        summary: "Predict",
        description: "Run a single prediction on the model",
        operationId: "predict_predictions_post",
        parameters: [prefer],
        requestBody: { content: json(ref("PredictionRequest")) },
        responses: { "200": ok(ref("PredictionResponse")), "422": invalid },
      },
    },
    "/predictions/{prediction_id}": {
      put: {
        summary: "Predict Idempotent",
        description: "Run a single prediction on the model (idempotent creation).",
        operationId: "predict_idempotent_predictions__prediction_id__put",
        parameters: [idParam("prediction_id", "Prediction ID"), prefer],
        requestBody: { content: json({ title: "Prediction Request", allOf: [ref("PredictionRequest")] }), required: true },
        responses: { "200": ok(ref("PredictionResponse")), "422": invalid },
      },
    },
    "/predictions/{prediction_id}/cancel": {
      post: {
        summary: "Cancel",
        description: "Cancel a running prediction",
        operationId: "cancel_predictions__prediction_id__cancel_post",
        parameters: [idParam("prediction_id", "Prediction ID")],
        responses: { "200": ok({ title: "Response Cancel Predictions  Prediction Id  Cancel Post" }), "422": invalid },
      },
    },
    "/shutdown": {
      post: {
        summary: "Start Shutdown",
        operationId: "start_shutdown_shutdown_post",
        responses: { "200": ok({ title: "Response Start Shutdown Shutdown Post" }) },
      },
    },
  };
}
