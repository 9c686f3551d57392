// A model: its playground (the default tab), README, versions and examples, with price, licence and hardware.
import { lazy, Suspense, useState } from "react";
import { Link, useParams } from "react-router";
import type { Model, Page, Prediction, Version } from "../api/types.js";
import { ErrorNotice, Loading } from "../components/error-notice.js";
import { StatusBadge } from "../components/status-badge.js";
import { useApi } from "../hooks/use-api.js";
import { formatCount, formatDate, formatPrice, formatRelative } from "../lib/format.js";
import { Playground } from "./playground.js";

// The markdown stack is most of the bundle's weight: load it only when a README is opened.
const Markdown = lazy(() => import("../components/markdown.js").then((m) => ({ default: m.Markdown })));

type Tab = "playground" | "readme" | "versions" | "examples";
const TABS: { id: Tab; label: string }[] = [
  { id: "playground", label: "Playground" },
  { id: "readme", label: "README" },
  { id: "versions", label: "Versions" },
  { id: "examples", label: "Examples" },
];

export function ModelPage() {
  const { owner = "", name = "" } = useParams();
  const base = `/v1/models/${owner}/${name}`;
  const { data: model, error, status, loading, reload } = useApi<Model>(base);
  const [tab, setTab] = useState<Tab>("playground");

  if (loading && !model) return <Loading what="the model" />;
  if (error || !model) {
    return (
      <div className="page">
        <ErrorNotice message={status === 404 ? `There is no model called ${owner}/${name}.` : error} onRetry={status === 404 ? undefined : reload} />
      </div>
    );
  }
  const price = formatPrice(model.pricing);
  return (
    <div className="page model-page">
      <header className="model-head">
        {model.cover_image_url && <img className="model-cover" src={model.cover_image_url} alt="" />}
        <div>
          <h1>
            <span className="muted">{model.owner}/</span>
            {model.name}
            {model.is_official && <span className="badge official">Official</span>}
          </h1>
          <p className="description">{model.description}</p>
          <ul className="facts">
            {model.run_count !== undefined && <li>{formatCount(model.run_count)} runs</li>}
            {price && <li>Price: {price}</li>}
            {model.hardware && <li>Hardware: {model.hardware}</li>}
            <li>
              Licence:{" "}
              {model.license_url ? (
                <a href={model.license_url} target="_blank" rel="noreferrer">
                  {licenceName(model.license_url)}
                </a>
              ) : (
                "not stated"
              )}
            </li>
            {model.github_url && (
              <li>
                <a href={model.github_url} target="_blank" rel="noreferrer">
                  Source
                </a>
              </li>
            )}
            {model.paper_url && (
              <li>
                <a href={model.paper_url} target="_blank" rel="noreferrer">
                  Paper
                </a>
              </li>
            )}
            {(model.tags ?? []).map((tag) => (
              <li key={tag} className="tag">
                {tag}
              </li>
            ))}
          </ul>
          {model.unavailable_reason && <p className="notice warn">This model cannot run here: {model.unavailable_reason}</p>}
        </div>
      </header>
      <div className="tabs" role="tablist" aria-label="Model sections">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`panel-${t.id}`} className={tab === t.id ? "tab active" : "tab"} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tab-panel">
        {tab === "playground" && <Playground model={model} />}
        {tab === "readme" && <Readme base={base} />}
        {tab === "versions" && <Versions base={base} />}
        {tab === "examples" && <Examples base={base} model={model} />}
      </div>
    </div>
  );
}

function licenceName(url: string): string {
  const known = /(apache|mit|bsd|gpl|lgpl|agpl|mpl|cc-by[-\w.]*|openrail[-\w.]*|llama[-\w.]*)/i.exec(url);
  return known?.[1]?.toUpperCase() ?? new URL(url).hostname;
}

function Readme({ base }: { base: string }) {
  const { data, error, status, loading } = useApi<string>(`${base}/readme`);
  if (loading) return <Loading what="the README" />;
  if (status === 404) return <p className="muted">This model has no README.</p>;
  if (error) return <ErrorNotice message={error} />;
  return (
    <Suspense fallback={<Loading what="the README" />}>
      <Markdown text={data ?? ""} />
    </Suspense>
  );
}

function Versions({ base }: { base: string }) {
  const { data, error, loading } = useApi<Page<Version>>(`${base}/versions`);
  if (loading) return <Loading what="versions" />;
  if (error) return <ErrorNotice message={error} />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Created</th>
          <th scope="col">Cog</th>
        </tr>
      </thead>
      <tbody>
        {(data?.results ?? []).map((v, i) => (
          <tr key={v.id}>
            <td>
              <code title={v.id}>{v.id.slice(0, 12)}</code> {i === 0 && <span className="badge">latest</span>}
            </td>
            <td>{formatDate(v.created_at)}</td>
            <td>{v.cog_version ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Examples({ base, model }: { base: string; model: Model }) {
  const { data, error, loading } = useApi<Page<Prediction>>(`${base}/examples`);
  if (loading) return <Loading what="examples" />;
  const examples = [...(model.default_example ? [model.default_example] : []), ...(data?.results ?? []).filter((e) => e.id !== model.default_example?.id)];
  if (error && examples.length === 0) return <ErrorNotice message={error} />;
  if (examples.length === 0) return <p className="muted">No examples yet.</p>;
  return (
    <ul className="example-list">
      {examples.map((e) => (
        <li key={e.id}>
          <StatusBadge status={e.status} />
          <code className="input-preview">{JSON.stringify(e.input)}</code>
          <Link to={`/p/${e.id}`}>Open</Link>
          <span className="muted">{formatRelative(e.created_at)}</span>
        </li>
      ))}
    </ul>
  );
}
