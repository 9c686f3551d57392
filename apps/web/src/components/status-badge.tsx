// A prediction's status, in Replicate's words, with a colour that does not carry the meaning alone.
import type { PredictionStatus } from "../api/types.js";

export function StatusBadge({ status }: { status: PredictionStatus | string }) {
  const live = status === "starting" || status === "processing";
  return (
    <span className={`badge status-${status}`} data-status={status}>
      {live && <span className="pulse" aria-hidden="true" />}
      {status}
    </span>
  );
}
