// The account's predictions, newest first: status, model, duration and when.
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { api, errorMessage } from "../api/client.js";
import type { Page, Prediction } from "../api/types.js";
import { ErrorNotice, Loading } from "../components/error-notice.js";
import { StatusBadge } from "../components/status-badge.js";
import { formatRelative, formatSeconds, predictionDuration } from "../lib/format.js";

export function PredictionsPage() {
  const [rows, setRows] = useState<Prediction[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  async function load(url: string, append: boolean) {
    setLoading(true);
    try {
      const page = await api<Page<Prediction>>(url);
      setRows((r) => (append && r ? [...r, ...page.results] : page.results));
      setNext(page.next);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }
  useEffect(() => void load("/v1/predictions", false), []);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Predictions</h1>
        <button type="button" onClick={() => void load("/v1/predictions", false)} disabled={loading}>
          Refresh
        </button>
      </div>
      <ErrorNotice message={error} />
      {rows === null ? (
        <Loading what="predictions" />
      ) : rows.length === 0 ? (
        <p className="muted">
          No predictions yet. <Link to="/">Pick a model</Link> and run it.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table predictions-table">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Model</th>
                <th scope="col">ID</th>
                <th scope="col">Duration</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id}>
                  <td>
                    <StatusBadge status={p.status} />
                  </td>
                  <td>{p.model}</td>
                  <td>
                    <Link to={`/p/${p.id}`}>
                      <code>{p.id.slice(0, 10)}</code>
                    </Link>
                  </td>
                  <td>{formatSeconds(predictionDuration(p))}</td>
                  <td>
                    <time dateTime={p.created_at}>{formatRelative(p.created_at)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" className="load-more" disabled={loading} onClick={() => void load(next, true)}>
          {loading ? "Loading…" : "More predictions"}
        </button>
      )}
    </div>
  );
}
