// Runs one prediction against the model: context, log capture, iterator pulling, cancel and the terminal snapshot.
import { isIteratorOutput, type ModelDefinition, type PredictContext } from "../define-model.js";
import { createPredictionFiles, type ModelFiles, type PredictionFiles } from "../files/prediction-files.js";
import { echoToStdout, runWithLogSink } from "./log-capture.js";
import { parseOutput } from "./validation.js";
import type { PredictionSnapshot, WebhookEventType } from "./wire.js";

export interface PredictionArgs {
  def: ModelDefinition;
  /** Where the model's files are and how they are handled. */
  files: ModelFiles;
  id: string;
  /** The validated input (defaults applied), handed to predict and echoed in snapshots. */
  input: Record<string, unknown>;
  createdAt: string | null;
  /** Called after each state change: start, output (iterator item), logs, completed. */
  onEvent(event: WebhookEventType, state: PredictionSnapshot): void;
  /** Echo ctx.log lines to the real stdout. */
  echoLogs: boolean;
}

/** A prediction in flight. */
export interface RunningPrediction {
  readonly id: string;
  snapshot(): PredictionSnapshot;
  /** Aborts ctx.signal; the prediction ends `canceled` once predict settles. */
  cancel(): void;
  /** Resolves with the terminal snapshot; never rejects. */
  readonly done: Promise<PredictionSnapshot>;
}

const RESERVED_METRICS = new Set(["predict_time"]);

/** Starts running predict now (status `processing`) and returns a handle. */
export function startPrediction(args: PredictionArgs): RunningPrediction {
  const { def, id } = args;
  const now = new Date().toISOString();
  const state: PredictionSnapshot = {
    id,
    status: "processing",
    input: args.input,
    output: isIteratorOutput(def.output) ? [] : null,
    logs: "",
    error: null,
    metrics: {},
    created_at: args.createdAt ?? now,
    started_at: now,
    completed_at: null,
  };
  const controller = new AbortController();
  const files = createPredictionFiles(args.files, id, controller.signal);
  const appendLogs = (text: string) => {
    if (state.completed_at !== null || text.length === 0) return;
    state.logs += text;
    args.onEvent("logs", state);
  };
  const ctx: PredictContext = {
    id,
    signal: controller.signal,
    log(msg) {
      const line = `${msg}\n`;
      appendLogs(line);
      if (args.echoLogs) echoToStdout(line);
    },
    recordMetric(name, value) {
      if (RESERVED_METRICS.has(name)) throw new Error(`metric name "${name}" is reserved`);
      if (typeof value !== "number" || !Number.isFinite(value)) throw new TypeError(`metric "${name}" must be a finite number`);
      state.metrics[name] = value;
    },
    files: files.api,
  };

  const startedMs = performance.now();
  args.onEvent("start", state);
  const done = runWithLogSink({ append: appendLogs }, async (): Promise<PredictionSnapshot> => {
    try {
      // predict starts on the next turn of the event loop, after the answer to the request that started it
      // (the 202 of an async PUT) is on the wire: the caller can take that in while the model runs.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (controller.signal.aborted) throw controller.signal.reason;
      // File inputs are downloaded first: predict gets local paths, the snapshots keep the URLs.
      const input = args.files.inputs.length === 0 ? args.input : await files.inputFor(args.input);
      await execute(def, input, ctx, state, files, () => args.onEvent("output", state));
      state.status = controller.signal.aborted ? "canceled" : "succeeded";
    } catch (error) {
      if (controller.signal.aborted) {
        state.status = "canceled";
      } else {
        state.status = "failed";
        state.error = error instanceof Error ? error.message : String(error);
        const stack = error instanceof Error && error.stack ? error.stack : String(error);
        state.logs += stack.endsWith("\n") ? stack : `${stack}\n`;
      }
    }
    state.metrics = { ...state.metrics, predict_time: (performance.now() - startedMs) / 1000 };
    state.completed_at = new Date().toISOString();
    args.onEvent("completed", state);
    void files.cleanup();
    return state;
  });

  return {
    id,
    snapshot: () => state,
    cancel: () => controller.abort(new Error("canceled")),
    done,
  };
}

async function execute(
  def: ModelDefinition,
  input: Record<string, unknown>,
  ctx: PredictContext,
  state: PredictionSnapshot,
  files: PredictionFiles,
  onOutput: () => void,
): Promise<void> {
  const result: unknown = await def.predict(input, ctx);
  if (!isIteratorOutput(def.output)) {
    // File paths become URLs (uploaded, or data: URIs) before the output is seen by anyone.
    const output = parseOutput(def.output, result);
    state.output = files.outputsFiles ? await files.output(output) : output;
    return;
  }
  const iterator = iteratorOf(result);
  const items = state.output as unknown[];
  try {
    for (;;) {
      if (ctx.signal.aborted) return;
      const step = await iterator.next();
      if (step.done) return;
      const item = parseOutput(def.output.item, step.value);
      items.push(files.outputsFiles ? await files.item(item) : item);
      onOutput();
    }
  } finally {
    // Stop pulling: lets the generator run its finally blocks (no-op when it already finished).
    await iterator.return?.();
  }
}

function iteratorOf(result: unknown): AsyncIterator<unknown> | Iterator<unknown> {
  if (result !== null && typeof result === "object") {
    const asyncIt = (result as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator];
    if (typeof asyncIt === "function") return asyncIt.call(result);
    const syncIt = (result as Partial<Iterable<unknown>>)[Symbol.iterator];
    if (typeof syncIt === "function") return syncIt.call(result);
  }
  throw new TypeError("predict must return an async iterable (an async generator) for an iterator output");
}
