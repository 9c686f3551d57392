// The catalog: search (GET /v1/search, else QUERY /v1/models), collections, and every model as a card.
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, ApiError, errorMessage } from "../api/client.js";
import type { Collection, Model, Page, SearchResponse } from "../api/types.js";
import { ErrorNotice, Loading } from "../components/error-notice.js";
import { ModelCard } from "../components/model-card.js";
import { useApi } from "../hooks/use-api.js";

export function ExplorePage() {
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";
  const collection = params.get("collection");
  const [text, setText] = useState(query);
  useEffect(() => setText(query), [query]);

  return (
    <div className="page explore">
      <div className="page-head">
        <h1>Explore models</h1>
        <form
          role="search"
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            setParams(text.trim() ? { q: text.trim() } : {});
          }}
        >
          <label htmlFor="search" className="visually-hidden">
            Search models
          </label>
          <input id="search" type="search" placeholder="Search models" value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit">Search</button>
        </form>
      </div>
      <Collections active={collection} />
      {query ? <SearchResults query={query} /> : collection ? <CollectionModels slug={collection} /> : <AllModels />}
    </div>
  );
}

function Collections({ active }: { active: string | null }) {
  const { data } = useApi<Page<Collection>>("/v1/collections");
  if (!data || data.results.length === 0) return null;
  return (
    <nav className="chips" aria-label="Collections">
      <Link to="/" className={active === null ? "chip active" : "chip"}>
        All
      </Link>
      {data.results.map((c) => (
        <Link key={c.slug} to={`/?collection=${encodeURIComponent(c.slug)}`} className={active === c.slug ? "chip active" : "chip"} title={c.description ?? undefined}>
          {c.name}
        </Link>
      ))}
    </nav>
  );
}

function ModelGrid({ models, empty }: { models: Model[]; empty: string }) {
  if (models.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="model-grid">
      {models.map((m) => (
        <ModelCard key={`${m.owner}/${m.name}`} model={m} />
      ))}
    </div>
  );
}

function AllModels() {
  const [models, setModels] = useState<Model[]>([]);
  const [next, setNext] = useState<string | null>("/v1/models");
  const [state, setState] = useState<{ loading: boolean; error: string | null }>({ loading: true, error: null });
  const [first, setFirst] = useState(true);

  async function load(url: string) {
    setState({ loading: true, error: null });
    try {
      const page = await api<Page<Model>>(url);
      setModels((m) => [...m, ...page.results]);
      setNext(page.next);
      setState({ loading: false, error: null });
    } catch (e) {
      setState({ loading: false, error: errorMessage(e) });
    }
  }
  useEffect(() => {
    if (first && next) {
      setFirst(false);
      void load(next);
    }
  }, [first, next]);

  return (
    <>
      <ErrorNotice message={state.error} />
      {state.loading && models.length === 0 ? <Loading what="models" /> : <ModelGrid models={models} empty="No models yet." />}
      {next && models.length > 0 && (
        <button type="button" className="load-more" disabled={state.loading} onClick={() => void load(next)}>
          {state.loading ? "Loading…" : "More models"}
        </button>
      )}
    </>
  );
}

function SearchResults({ query }: { query: string }) {
  const [result, setResult] = useState<{ models: Model[] | null; error: string | null }>({ models: null, error: null });
  useEffect(() => {
    let current = true;
    setResult({ models: null, error: null });
    search(query).then(
      (models) => current && setResult({ models, error: null }),
      (e: unknown) => current && setResult({ models: [], error: errorMessage(e) }),
    );
    return () => {
      current = false;
    };
  }, [query]);
  return (
    <section aria-label="Search results">
      <h2 className="section-title">Results for “{query}”</h2>
      <ErrorNotice message={result.error} />
      {result.models === null ? <Loading what="results" /> : <ModelGrid models={result.models} empty="No models match." />}
    </section>
  );
}

/** The search endpoint when the server has it; otherwise the client's own QUERY /v1/models. */
async function search(query: string): Promise<Model[]> {
  try {
    const res = await api<SearchResponse>(`/v1/search?query=${encodeURIComponent(query)}&limit=50`);
    return res.models.map((entry) => ({ ...entry.model, tags: entry.model.tags ?? entry.metadata?.tags }));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  const page = await api<Page<Model>>("/v1/models", { method: "QUERY", body: query });
  return page.results;
}

function CollectionModels({ slug }: { slug: string }) {
  const { data, error, loading, reload } = useApi<Collection>(`/v1/collections/${encodeURIComponent(slug)}`);
  if (loading) return <Loading what="the collection" />;
  if (error) return <ErrorNotice message={error} onRetry={reload} />;
  return (
    <section aria-label={data?.name}>
      <h2 className="section-title">{data?.name}</h2>
      {data?.description && <p className="muted">{data.description}</p>}
      <ModelGrid models={data?.models ?? []} empty="This collection is empty." />
    </section>
  );
}
