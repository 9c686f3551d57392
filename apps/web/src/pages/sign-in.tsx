// Sign in with an API token (the one printed when the server first started, or one made on the account page).
import { useState } from "react";
import type { FormEvent } from "react";
import { errorMessage } from "../api/client.js";
import { useSession } from "../api/session.js";
import { ErrorNotice } from "../components/error-notice.js";
import { Logo } from "../components/logo.js";

export function SignInPage() {
  const { signIn } = useSession();
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <form onSubmit={(e) => void submit(e)} className="card">
        <h1 className="brand">
          <Logo /> Sign in to Ferry
        </h1>
        <p className="muted">Use an API token: the one the server printed when it first started, or one you created.</p>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="current-password" placeholder="r8_…" value={token} onChange={(e) => setToken(e.target.value)} required />
        <ErrorNotice message={error} />
        <button type="submit" className="primary" disabled={busy || token.trim() === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
