// The account: who you are, API tokens (create, revoke) and the webhook signing secret.
import { useState } from "react";
import type { FormEvent } from "react";
import { api, errorMessage } from "../api/client.js";
import { useSession } from "../api/session.js";
import type { ApiToken } from "../api/types.js";
import { CopyButton } from "../components/copy-button.js";
import { ErrorNotice, Loading } from "../components/error-notice.js";
import { useApi } from "../hooks/use-api.js";
import { formatDate } from "../lib/format.js";

export function AccountPage() {
  const { account } = useSession();
  return (
    <div className="page narrow">
      <h1>Account</h1>
      {account && (
        <p>
          Signed in as <strong>{account.username}</strong> ({account.type}).
        </p>
      )}
      <Tokens />
      <WebhookSecret />
    </div>
  );
}

function Tokens() {
  const { data, error, status, loading, reload } = useApi<{ results: ApiToken[] }>("/v1/tokens");
  const [name, setName] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setActionError(null);
    try {
      const token = await api<ApiToken & { token: string }>("/v1/tokens", { method: "POST", body: name.trim() ? { name: name.trim() } : {} });
      setCreated(token.token);
      setName("");
      reload();
    } catch (e) {
      setActionError(errorMessage(e));
    }
  }

  async function revoke(token: ApiToken) {
    if (!window.confirm(`Revoke the token “${token.name}”? Anything using it stops working at once.`)) return;
    try {
      await api(`/v1/tokens/${token.id}`, { method: "DELETE" });
      reload();
    } catch (e) {
      setActionError(errorMessage(e));
    }
  }

  return (
    <section className="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      {status === 404 && <p className="muted">This server does not manage tokens from the web.</p>}
      {status !== 404 && <ErrorNotice message={error} onRetry={reload} />}
      {loading && !data && <Loading what="tokens" />}
      {data && (
        <ul className="token-list">
          {data.results.map((t) => (
            <li key={t.id}>
              <span>
                <strong>{t.name}</strong> <span className="muted">created {formatDate(t.created_at)}</span>
              </span>
              <button type="button" className="small danger" onClick={() => void revoke(t)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      {created && (
        <div className="notice success" role="status">
          <p>Your new token. Copy it now: it will not be shown again.</p>
          <code className="secret">{created}</code> <CopyButton text={created} />
        </div>
      )}
      <form className="inline-form" onSubmit={(e) => void create(e)}>
        <label htmlFor="token-name">Token name</label>
        <input id="token-name" value={name} placeholder="for example: ci" maxLength={100} onChange={(e) => setName(e.target.value)} />
        <button type="submit">Create token</button>
      </form>
      <ErrorNotice message={actionError} />
    </section>
  );
}

function WebhookSecret() {
  const [shown, setShown] = useState(false);
  const { data, error } = useApi<{ key: string }>(shown ? "/v1/webhooks/default/secret" : null);
  return (
    <section className="card" aria-labelledby="webhook-title">
      <h2 id="webhook-title">Webhook signing secret</h2>
      <p className="muted">Webhooks Ferry sends are signed with this secret; check the signature to know they came from here.</p>
      {!shown && (
        <button type="button" onClick={() => setShown(true)}>
          Show secret
        </button>
      )}
      <ErrorNotice message={error} />
      {data && (
        <p>
          <code className="secret">{data.key}</code> <CopyButton text={data.key} />
        </p>
      )}
    </section>
  );
}
