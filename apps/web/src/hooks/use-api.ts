// Loads one API resource for a page: data, a plain-words error, and reload(). A newer load cancels an older one.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, errorMessage } from "../api/client.js";

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  /** The HTTP status of the failure (0 when the server could not be reached), or null. */
  status: number | null;
  loading: boolean;
  reload(): void;
}

/** `path` null loads nothing (for example while a parameter is missing). */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; status: number | null; loading: boolean }>({
    data: null,
    error: null,
    status: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const current = useRef<AbortController | null>(null);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    current.current?.abort();
    current.current = controller;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path, { signal: controller.signal }).then(
      (data) => setState({ data, error: null, status: null, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const status = typeof error === "object" && error !== null && "status" in error ? Number(error.status) : null;
        setState({ data: null, error: errorMessage(error), status, loading: false });
      },
    );
    return () => controller.abort();
  }, [path, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
