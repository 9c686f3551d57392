// Who is signed in. The token itself lives only in the http-only cookie; the page knows just the account.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { api, ApiError, UNAUTHENTICATED_EVENT } from "./client.js";
import type { Account } from "./types.js";

interface Session {
  /** undefined while the first check runs; null when signed out. */
  account: Account | null | undefined;
  signIn(token: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [account, setAccount] = useState<Account | null | undefined>(undefined);

  useEffect(() => {
    api<Account>("/v1/account").then(setAccount, (error: unknown) => {
      setAccount(null);
      if (!(error instanceof ApiError) || error.status !== 401) console.warn(error);
    });
    const onExpired = () => setAccount(null);
    window.addEventListener(UNAUTHENTICATED_EVENT, onExpired);
    return () => window.removeEventListener(UNAUTHENTICATED_EVENT, onExpired);
  }, []);

  const signIn = useCallback(async (token: string) => {
    setAccount(await api<Account>("/auth/session", { method: "POST", body: { token } }));
  }, []);
  const signOut = useCallback(async () => {
    await api("/auth/session", { method: "DELETE" });
    setAccount(null);
  }, []);

  const value = useMemo(() => ({ account, signIn, signOut }), [account, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession outside SessionProvider");
  return session;
}
