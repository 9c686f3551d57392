// Deployments: the list, with each one's model, release, hardware and scale.
import { Link } from "react-router";
import type { Deployment, Page } from "../api/types.js";
import { ErrorNotice, Loading } from "../components/error-notice.js";
import { useApi } from "../hooks/use-api.js";
import { formatRelative } from "../lib/format.js";
import { instanceCount } from "./deployment-stats.js";

export function DeploymentsPage() {
  const { data, error, status, loading, reload } = useApi<Page<Deployment>>("/v1/deployments");
  return (
    <div className="page">
      <div className="page-head">
        <h1>Deployments</h1>
        {status !== 404 && (
          <Link to="/deployments/new" className="button primary">
            New deployment
          </Link>
        )}
      </div>
      {status === 404 ? (
        <p className="notice">This server does not offer deployments yet.</p>
      ) : (
        <ErrorNotice message={error} onRetry={reload} />
      )}
      {loading && !data && <Loading what="deployments" />}
      {data && data.results.length === 0 && <p className="muted">No deployments yet. A deployment keeps a model version warm behind a fixed name.</p>}
      {data && data.results.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Model</th>
                <th scope="col">Release</th>
                <th scope="col">Hardware</th>
                <th scope="col">Instances</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {data.results.map((d) => {
                const release = d.current_release;
                const count = instanceCount(d);
                return (
                  <tr key={`${d.owner}/${d.name}`}>
                    <td>
                      <Link to={`/deployments/${d.owner}/${d.name}`}>
                        {d.owner}/{d.name}
                      </Link>
                    </td>
                    <td>{release?.model ?? "—"}</td>
                    <td>{release ? `#${release.number}` : "—"}</td>
                    <td>{release?.configuration.hardware ?? "—"}</td>
                    <td>
                      {count !== null ? `${count} · ` : ""}
                      {release ? `${release.configuration.min_instances}–${release.configuration.max_instances}` : "—"}
                    </td>
                    <td>{formatRelative(release?.created_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
