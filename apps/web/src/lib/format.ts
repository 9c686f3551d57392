// Numbers and times as people read them.

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "—";
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(seconds)) return iso;
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return formatDate(iso);
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

/** Wall time of a prediction: from creation to completion (or now, while it runs). */
export function predictionDuration(p: { created_at: string; completed_at: string | null; metrics?: Record<string, number | undefined> }): number | null {
  if (p.metrics?.total_time !== undefined) return p.metrics.total_time;
  if (p.completed_at === null) return null;
  return (new Date(p.completed_at).getTime() - new Date(p.created_at).getTime()) / 1000;
}

export function formatCount(n: number | undefined): string {
  if (n === undefined) return "";
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** A price object of any shape as one short line, or null when there is nothing to say. */
export function formatPrice(pricing: unknown): string | null {
  if (pricing === null || pricing === undefined) return null;
  if (typeof pricing === "string") return pricing;
  if (typeof pricing === "number") return `$${pricing}`;
  if (typeof pricing !== "object") return null;
  const p = pricing as Record<string, unknown>;
  if (typeof p.description === "string") return p.description;
  if (typeof p.display === "string") return p.display;
  // Ferry's own shape: {unit, price_usd_per_unit}; a null price means the hardware has none.
  if ("price_usd_per_unit" in p && p.price_usd_per_unit === null) return null;
  const amount = p.price_usd_per_unit ?? p.amount ?? p.price ?? p.usd ?? p.price_usd;
  const unit = p.unit ?? p.per;
  if (typeof amount === "number" || typeof amount === "string") {
    const currency = typeof p.currency === "string" && p.currency.toUpperCase() !== "USD" ? ` ${p.currency}` : "";
    return `$${amount}${currency}${typeof unit === "string" ? ` / ${unit}` : ""}`;
  }
  const entries = Object.entries(p).filter(([, v]) => typeof v === "number" || typeof v === "string");
  if (entries.length === 0) return null;
  return entries.map(([k, v]) => `${k.replace(/_/g, " ")}: ${String(v)}`).join(", ");
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
