// One prediction (the page behind `urls.web`, /p/<id>): live output, input, logs, timeline, webhook deliveries,
// and a cancel button while it runs.
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, errorMessage } from "../api/client.js";
import type { Model, Prediction, WebhookDelivery } from "../api/types.js";
import { CopyButton } from "../components/copy-button.js";
import { ErrorNotice, Loading } from "../components/error-notice.js";
import { PredictionView } from "../components/prediction-view.js";
import { useApi } from "../hooks/use-api.js";
import { TERMINAL, useLivePrediction } from "../hooks/use-live-prediction.js";
import { formatDate } from "../lib/format.js";

export function PredictionPage() {
  const { id = "" } = useParams();
  const loaded = useApi<Prediction>(`/v1/predictions/${encodeURIComponent(id)}`);
  if (loaded.loading && !loaded.data) return <Loading what="the prediction" />;
  if (!loaded.data) {
    return (
      <div className="page">
        <ErrorNotice message={loaded.status === 404 ? `There is no prediction ${id} (or it belongs to another account).` : loaded.error} onRetry={loaded.reload} />
      </div>
    );
  }
  return <PredictionDetail initial={loaded.data} />;
}

function PredictionDetail({ initial }: { initial: Prediction }) {
  const live = useLivePrediction(initial);
  const p = live.prediction ?? initial;
  const [error, setError] = useState<string | null>(null);
  const [owner, name] = p.model.split("/");
  const { data: model } = useApi<Model>(owner && name ? `/v1/models/${owner}/${name}` : null);
  const outputSchema = model?.latest_version?.id === p.version ? model.latest_version.openapi_schema?.components?.schemas?.Output : undefined;

  async function cancel() {
    try {
      live.update(await api<Prediction>(`/v1/predictions/${p.id}/cancel`, { method: "POST" }));
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <div className="page prediction-page">
      <header className="page-head">
        <div>
          <h1>
            Prediction <code>{p.id}</code>
          </h1>
          <p className="muted">
            <Link to={`/${p.model}`}>{p.model}</Link>
            {p.deployment && (
              <>
                {" "}
                via <Link to={`/deployments/${p.deployment}`}>{p.deployment}</Link>
              </>
            )}{" "}
            · created {formatDate(p.created_at)} · source {p.source ?? "api"}
          </p>
        </div>
        <div className="head-actions">
          {p.urls.web && <CopyButton text={p.urls.web} label="Copy link" />}
          {!TERMINAL.has(p.status) && (
            <button type="button" className="danger" onClick={() => void cancel()}>
              Cancel
            </button>
          )}
        </div>
      </header>
      <ErrorNotice message={error} />
      {p.data_removed && <p className="notice warn">The input, output and logs of this prediction have been removed (data retention).</p>}
      <div className="two-col">
        <section aria-label="Input">
          <h2 className="section-title">Input</h2>
          <pre className="output-json">{JSON.stringify(p.input, null, 2)}</pre>
          <Webhooks key={TERMINAL.has(p.status) ? "ended" : "running"} id={p.id} />
        </section>
        <div>
          <h2 className="section-title">Output</h2>
          <PredictionView live={live} outputSchema={outputSchema} />
        </div>
      </div>
    </div>
  );
}

function Webhooks({ id }: { id: string }) {
  // Keyed by running/ended: read again once the prediction ends, when the completed webhook has gone out.
  const { data, error } = useApi<{ results: WebhookDelivery[] }>(`/v1/predictions/${id}/webhooks`);
  return (
    <section aria-label="Webhook deliveries" className="webhooks">
      <h2 className="section-title">Webhook deliveries</h2>
      {error && <p className="muted">Deliveries could not be loaded: {error}</p>}
      {data && data.results.length === 0 && <p className="muted">No webhook was set for this prediction.</p>}
      {data && data.results.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {data.results.map((d, i) => (
              <tr key={String(d.id ?? d.message_id ?? i)}>
                <td>{String(d.event ?? d.type ?? "—")}</td>
                <td>{String(d.status ?? d.state ?? "—")}</td>
                <td>
                  {(d.attempts ?? []).map((a, j) => (
                    <span key={j} className="attempt">
                      {a.status_code ?? a.error ?? "…"}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
