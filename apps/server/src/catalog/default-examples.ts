// After start, each official model's first manifest example is run for real, as the model's owner, and becomes
// its default_example once it succeeds. One model at a time (a cold boot costs a whole core); a model whose
// default example already shows its current version is skipped, so a restart re-runs nothing.
import type { Logger } from "@ferry/core";
import type { Engine } from "@ferry/engine";
import type { RegisteredModel } from "../builtin-models.js";

/** How long one example may take, cold boot included, before it is left unsaved (the next start tries again). */
const EXAMPLE_TIMEOUT_MS = 5 * 60_000;

export interface DefaultExamples {
  /** Resolves when every example ran (or was skipped), or once stop() was called. */
  readonly finished: Promise<void>;
  /** Stops after the current example (its wait is cut short); the prediction itself keeps running. */
  stop(): Promise<void>;
}

export function runDefaultExamples(deps: { engine: Engine; models: RegisteredModel[]; log: Logger; timeoutMs?: number }): DefaultExamples {
  const { engine, log } = deps;
  const abort = new AbortController();
  const run = async () => {
    for (const model of deps.models) {
      if (abort.signal.aborted) return;
      const example = model.examples[0];
      if (example === undefined || model.versionId === null || model.unavailableReason !== null) continue;
      try {
        if (!(await engine.catalog.needsDefaultExample(model.owner, model.name, model.versionId))) continue;
        const started = Date.now();
        const prediction = await engine.catalog.runExample({
          owner: model.owner,
          name: model.name,
          versionId: model.versionId,
          exampleName: example.name,
          position: 0,
          input: example.input,
          timeoutMs: deps.timeoutMs ?? EXAMPLE_TIMEOUT_MS,
          signal: abort.signal,
        });
        const fields = { model: model.model, prediction: prediction.id, status: prediction.status, ms: Date.now() - started };
        if (prediction.status === "succeeded") log.info(fields, "default example saved");
        else if (!abort.signal.aborted) log.warn({ ...fields, error: prediction.error }, "default example did not succeed; the model keeps no default example");
      } catch (error) {
        log.warn({ model: model.model, err: error }, "default example could not be run");
      }
    }
  };
  const finished = run().catch((error: unknown) => log.error({ err: error }, "default examples stopped"));
  return {
    finished,
    async stop() {
      abort.abort();
      await finished;
    },
  };
}
