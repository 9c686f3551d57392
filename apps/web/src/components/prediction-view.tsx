// A prediction while it runs and after: status, output (space reserved so streaming does not shift the page),
// logs, timeline and metrics. Used by the playground and the prediction page.
import { Link } from "react-router";
import type { JsonSchema, Prediction } from "../api/types.js";
import type { LivePrediction } from "../hooks/use-live-prediction.js";
import { TERMINAL } from "../hooks/use-live-prediction.js";
import { formatSeconds, predictionDuration } from "../lib/format.js";
import { OutputView } from "./output-view.js";
import { StatusBadge } from "./status-badge.js";
import { Timeline } from "./timeline.js";

interface Props {
  live: LivePrediction;
  outputSchema?: JsonSchema | undefined;
  showLink?: boolean;
}

export function PredictionView({ live, outputSchema, showLink }: Props) {
  const p = live.prediction;
  if (p === null) {
    return (
      <section className="prediction-view empty" aria-label="Output">
        <p className="muted">Fill in the form and press Run. The output shows up here as it is made.</p>
      </section>
    );
  }
  const done = TERMINAL.has(p.status);
  const output = done || p.output !== null ? p.output : liveOutput(live.streamed, outputSchema);
  const logs = (p.logs ?? "").length >= live.streamedLogs.length ? (p.logs ?? "") : live.streamedLogs;
  return (
    <section className="prediction-view" aria-label="Output" data-prediction={p.id}>
      <header className="prediction-head">
        <StatusBadge status={p.status} />
        <span className="muted">{formatSeconds(predictionDuration(p) ?? elapsed(p))}</span>
        {live.streaming && <span className="muted">streaming…</span>}
        <span className="spacer" />
        {showLink && (
          <Link to={`/p/${p.id}`} className="small-link">
            Open prediction {p.id.slice(0, 8)}…
          </Link>
        )}
      </header>
      <div className="output-box" aria-live="polite" aria-busy={!done}>
        {output === null || output === undefined ? (
          <p className="muted">{done ? "No output." : "Waiting for output…"}</p>
        ) : (
          <OutputView output={output} schema={outputSchema} />
        )}
      </div>
      {p.status === "failed" && p.error !== null && (
        <div className="notice error" role="alert">
          {typeof p.error === "string" ? p.error : JSON.stringify(p.error)}
        </div>
      )}
      <details open className="logs-box">
        <summary>Logs</summary>
        <pre className="logs">{logs || " "}</pre>
      </details>
      <details className="timeline-box">
        <summary>Timeline</summary>
        <Timeline prediction={p} />
        <Metrics prediction={p} />
      </details>
    </section>
  );
}

function liveOutput(streamed: string[], schema: JsonSchema | undefined): unknown {
  if (streamed.length === 0) return null;
  return schema?.type === "array" ? streamed : streamed.join("");
}

function elapsed(p: Prediction): number {
  return (Date.now() - new Date(p.created_at).getTime()) / 1000;
}

function Metrics({ prediction }: { prediction: Prediction }) {
  const entries = Object.entries(prediction.metrics ?? {}).filter(([, v]) => typeof v === "number");
  if (entries.length === 0) return null;
  return (
    <dl className="metrics">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key.replace(/_/g, " ")}</dt>
          <dd>{key.endsWith("_time") ? formatSeconds(value) : String(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
