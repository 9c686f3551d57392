// Run a model from the browser: the generated form, the live prediction beside it, and the same call as code.
import { useMemo, useState } from "react";
import { api, errorMessage } from "../api/client.js";
import type { Model, Prediction } from "../api/types.js";
import { CodeSnippets } from "../components/code-snippets.js";
import { ErrorNotice } from "../components/error-notice.js";
import { PredictionView } from "../components/prediction-view.js";
import { SchemaForm } from "../components/schema-form/schema-form.js";
import { buildInput, initialValues, inputFields } from "../components/schema-form/schema.js";
import type { FormValues } from "../components/schema-form/schema.js";
import { TERMINAL, useLivePrediction } from "../hooks/use-live-prediction.js";

export function Playground({ model }: { model: Model }) {
  const schema = model.latest_version?.openapi_schema;
  const fields = useMemo(() => inputFields(schema), [schema]);
  const outputSchema = schema?.components?.schemas?.Output;
  const [values, setValues] = useState<FormValues>(() => initialValues(fields, model.default_example?.input));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<Prediction | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const live = useLivePrediction(started);
  const running = live.prediction !== null && !TERMINAL.has(live.prediction.status);
  const { input } = buildInput(fields, values);
  const ref = `${model.owner}/${model.name}`;

  if (!model.latest_version) return <p className="muted">This model has no version yet, so it cannot run.</p>;

  async function run() {
    const built = buildInput(fields, values);
    setErrors(built.errors);
    setError(null);
    if (Object.keys(built.errors).length > 0) return;
    setSubmitting(true);
    try {
      setStarted(await api<Prediction>(`/v1/models/${ref}/predictions`, { method: "POST", body: { input: built.input } }));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSubmitting(false);
    }
  }

  async function cancel() {
    const p = live.prediction;
    if (!p) return;
    try {
      live.update(await api<Prediction>(`/v1/predictions/${p.id}/cancel`, { method: "POST" }));
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <div className="playground">
      <section className="playground-input" aria-label="Input">
        <h2 className="section-title">Input</h2>
        <SchemaForm
          fields={fields}
          values={values}
          errors={errors}
          onChange={setValues}
          onSubmit={() => void run()}
          busy={submitting}
          actions={
            <>
              <button type="button" onClick={() => setValues(initialValues(fields))}>
                Reset
              </button>
              {running && (
                <button type="button" className="danger" onClick={() => void cancel()}>
                  Cancel
                </button>
              )}
            </>
          }
        />
        <ErrorNotice message={error} />
      </section>
      <div className="playground-output">
        <h2 className="section-title">Output</h2>
        <PredictionView live={live} outputSchema={outputSchema} showLink />
      </div>
      <div className="playground-code">
        <h2 className="section-title">Run it from code</h2>
        <CodeSnippets model={ref} input={input} />
      </div>
    </div>
  );
}
