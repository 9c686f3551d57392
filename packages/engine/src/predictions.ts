// The prediction use cases of the public API: create (resolve, validate, queue), get, list, cancel.
import { FerryError, isFileOutput, isIteratorOutput, isTerminal, newPredictionId } from "@ferry/core";
import type { Account, Clock, NewPrediction, Prediction, Slice, Store } from "@ferry/core";
import type { Catalog } from "./catalog.js";
import { modelRef } from "./catalog.js";
import type { CreatePredictionRequest, Engine, ListPredictionsRequest } from "./engine-types.js";
import type { FileInputs } from "./file-inputs.js";
import type { InputValidator } from "./input-validator.js";
import type { PredictionBus } from "./engine-types.js";
import type { PredictionWriter } from "./prediction-writer.js";
import type { DeploymentRouter, DeploymentTarget } from "./deployment-routing.js";
import { assertAvailable, resolveTarget } from "./resolve-target.js";
import type { RunnerSignals } from "./runner-signals.js";
import { rejectSerializedClient } from "./serialized-client.js";
import { unhealthyMessage } from "./scheduler/scheduler.js";
import { createWaitForTerminal } from "./wait-for-terminal.js";

const DEFAULT_PAGE_SIZE = 100;

export interface PredictionsDeps {
  store: Store;
  clock: Clock;
  catalog: Catalog;
  validator: InputValidator;
  writer: PredictionWriter;
  bus: PredictionBus;
  signals: RunnerSignals;
  /** Files-API URLs in file inputs must name the caller's own uploads. */
  fileInputs: FileInputs;
  /** Picks the version (or fallback) a deployment prediction runs on, and refuses it when the queue is full. */
  deployments?: DeploymentRouter;
  /** The crash-loop state of a version (the scheduler's): its new work fails fast while it is unhealthy. */
  unhealthy?: (versionId: string) => { reason: string } | null;
}

async function routeDeployment(deps: PredictionsDeps, account: Account, target: { owner: string; name: string }, input: unknown): Promise<DeploymentTarget> {
  if (deps.deployments === undefined) throw new FerryError("not_found", "Deployment not found");
  const routed = await deps.deployments.route(account, target.owner, target.name, input);
  assertAvailable(routed.model);
  return routed;
}

export function createPredictions(deps: PredictionsDeps): Engine["predictions"] {
  const { store, clock, catalog, validator, writer, bus, signals } = deps;

  async function create(account: Account, request: CreatePredictionRequest): Promise<Prediction> {
    rejectSerializedClient(request.input);
    const { model, version, deployment, fallbackFrom } =
      request.target.kind === "deployment"
        ? await routeDeployment(deps, account, request.target, request.input)
        : { ...(await resolveTarget(catalog, account, request.target)), deployment: null, fallbackFrom: null };
    const input = validator.validate(version, request.input);
    const checking = deps.fileInputs.check(account, version, input);
    if (checking !== undefined) await checking;
    const now = clock.now();
    const prediction: NewPrediction = {
      id: newPredictionId(),
      accountId: account.id,
      modelId: model.id,
      model: modelRef(model),
      versionId: version.id,
      input,
      output: null,
      logs: "",
      error: null,
      status: "starting",
      source: request.source ?? "api",
      dataRemoved: false,
      createdAt: now.toISOString(),
      startedAt: null,
      completedAt: null,
      deadline: request.cancelAfterMs != null ? new Date(now.getTime() + request.cancelAfterMs).toISOString() : null,
      metrics: null,
      webhook: request.webhook ?? null,
      webhookEventsFilter: request.webhookEventsFilter ?? null,
      canStream: isIteratorOutput(version.openapiSchema),
      streamsFiles: isIteratorOutput(version.openapiSchema) && isFileOutput(version.openapiSchema),
      dataExpiresAt: null,
      ...(deployment !== null ? { deployment } : {}),
      ...(fallbackFrom !== null ? { fallbackFrom } : {}),
      // The first timeline entry is part of the insert: no write of its own.
      timeline: [{ phase: "queued", at: now.toISOString(), attempt: 1 }],
      attempt: 1,
    };
    const row = await store.predictions.insert(prediction);
    await store.models.incrementRunCount(model.id);
    writer.remember(row);
    bus.publish({ prediction: row, effects: [] });
    const sick = deps.unhealthy?.(version.id) ?? null;
    if (sick !== null) {
      // Fails fast rather than waiting behind boots that keep failing; a normal write, so webhooks go out as usual.
      const failed = await writer.apply(row.id, { type: "failed", error: unhealthyMessage(sick.reason) }, { candidate: row });
      return failed.kind === "applied" ? failed.prediction : row;
    }
    signals.emit({ type: "work_queued", versionId: version.id });
    return row;
  }

  async function own(account: Account, id: string): Promise<Prediction> {
    const row = await store.predictions.get(id);
    if (row === null || row.accountId !== account.id) throw new FerryError("not_found");
    return row;
  }

  async function list(account: Account, request: ListPredictionsRequest): Promise<Slice<Prediction>> {
    return store.predictions.list({
      accountId: account.id,
      cursor: request.cursor,
      limit: request.limit ?? DEFAULT_PAGE_SIZE,
      ...(request.createdAfter !== undefined ? { createdAfter: request.createdAfter } : {}),
      ...(request.createdBefore !== undefined ? { createdBefore: request.createdBefore } : {}),
      ...(request.source !== undefined ? { source: request.source } : {}),
    });
  }

  async function cancel(account: Account, id: string): Promise<Prediction> {
    const row = await own(account, id);
    if (isTerminal(row.status)) return row;
    const result = await writer.apply(id, { type: "cancel_requested" }, { candidate: row });
    if (result.kind === "not_found") throw new FerryError("not_found");
    return result.prediction;
  }

  return {
    create,
    get: own,
    list,
    cancel,
    waitForTerminal: createWaitForTerminal({ store, bus, writer }),
  };
}
