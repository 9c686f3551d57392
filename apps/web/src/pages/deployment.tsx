// One deployment: its current release and configuration, live state, release history, and edit / delete.
import { useState } from "react";
import type { ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, errorMessage } from "../api/client.js";
import type { Deployment, DeploymentRelease } from "../api/types.js";
import { ErrorNotice, Loading } from "../components/error-notice.js";
import { useApi } from "../hooks/use-api.js";
import { formatDate, formatSeconds } from "../lib/format.js";
import { DeploymentForm } from "./deployment-form.js";
import { instanceCount, instanceStates, latencies, queueDepth } from "./deployment-stats.js";

export function DeploymentPage() {
  const { owner = "", name = "" } = useParams();
  const path = `/v1/deployments/${owner}/${name}`;
  const { data, error, status, loading, reload } = useApi<Deployment>(path);
  const [editing, setEditing] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const navigate = useNavigate();

  if (loading && !data) return <Loading what="the deployment" />;
  if (!data) {
    return (
      <div className="page">
        <ErrorNotice message={status === 404 ? `There is no deployment ${owner}/${name}.` : error} onRetry={reload} />
      </div>
    );
  }
  const release = data.current_release;

  async function remove() {
    if (!window.confirm(`Delete the deployment ${owner}/${name}?`)) return;
    try {
      await api(path, { method: "DELETE" });
      await navigate("/deployments");
    } catch (e) {
      setActionError(errorMessage(e));
    }
  }

  return (
    <div className="page">
      <div className="page-head">
        <h1>
          <span className="muted">{data.owner}/</span>
          {data.name}
        </h1>
        <div className="head-actions">
          <button type="button" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
            {editing ? "Close editor" : "Edit"}
          </button>
          <button type="button" className="danger" onClick={() => void remove()}>
            Delete
          </button>
        </div>
      </div>
      <ErrorNotice message={actionError} />
      {editing && (
        <DeploymentForm
          existing={data}
          onSaved={() => {
            setEditing(false);
            reload();
          }}
        />
      )}
      <dl className="facts-grid">
        <Fact label="Model">{release ? <Link to={`/${release.model}`}>{release.model}</Link> : "—"}</Fact>
        <Fact label="Version">{release ? <code title={release.version}>{release.version.slice(0, 12)}</code> : "—"}</Fact>
        <Fact label="Release">{release ? `#${release.number}` : "—"}</Fact>
        <Fact label="Hardware">{release?.configuration.hardware ?? "—"}</Fact>
        <Fact label="Min / max instances">{release ? `${release.configuration.min_instances} / ${release.configuration.max_instances}` : "—"}</Fact>
        {typeof release?.configuration.max_queue === "number" && <Fact label="Max queue">{release.configuration.max_queue}</Fact>}
        <Fact label="Instances now">{instanceCount(data) ?? "—"}</Fact>
        <Fact label="Instance states">{instanceStates(data) ?? "—"}</Fact>
        <Fact label="Queue depth">{queueDepth(data) ?? "—"}</Fact>
        <Fact label="Recent latency">{latencies(data).map(([k, v]) => `${k} ${formatSeconds(v)}`).join(", ") || "—"}</Fact>
      </dl>
      <h2 className="section-title">Run it</h2>
      <pre className="code">
        <code>{`curl -s -X POST -H "Authorization: Bearer $REPLICATE_API_TOKEN" -H "Content-Type: application/json" \\\n  -d '{"input": {}}' ${window.location.origin}/v1/deployments/${data.owner}/${data.name}/predictions`}</code>
      </pre>
      <h2 className="section-title">Releases</h2>
      <Releases releases={data.releases ?? (release ? [release] : [])} />
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Releases({ releases }: { releases: DeploymentRelease[] }) {
  if (releases.length === 0) return <p className="muted">No releases.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Model</th>
            <th scope="col">Version</th>
            <th scope="col">Hardware</th>
            <th scope="col">Min–max</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {[...releases]
            .sort((a, b) => b.number - a.number)
            .map((r) => (
              <tr key={r.number}>
                <td>{r.number}</td>
                <td>{r.model}</td>
                <td>
                  <code>{r.version.slice(0, 12)}</code>
                </td>
                <td>{r.configuration.hardware}</td>
                <td>
                  {r.configuration.min_instances}–{r.configuration.max_instances}
                </td>
                <td>
                  {formatDate(r.created_at)}
                  {r.created_by?.username ? ` by ${r.created_by.username}` : ""}
                </td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
