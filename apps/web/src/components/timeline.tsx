// A prediction's timeline: the server's `timeline` when it sends one, else the three timestamps every prediction has.
import type { Prediction } from "../api/types.js";
import { formatSeconds } from "../lib/format.js";

export function Timeline({ prediction }: { prediction: Prediction }) {
  const entries: Row[] = prediction.timeline?.length ? prediction.timeline : fromTimestamps(prediction);
  const start = new Date(prediction.created_at).getTime();
  return (
    <ol className="timeline">
      {entries.map((entry, i) => (
        <li key={`${entry.phase}-${i}`}>
          <span className="phase">{entry.phase}</span>
          <time dateTime={entry.at}>+{formatSeconds((new Date(entry.at).getTime() - start) / 1000)}</time>
          {entry.reason && <span className="muted"> · {entry.reason}</span>}
        </li>
      ))}
    </ol>
  );
}

/** What a row shows: a server timeline entry, or one made from a timestamp (predictions from before timelines). */
interface Row {
  phase: string;
  at: string;
  reason?: string;
}

function fromTimestamps(p: Prediction): Row[] {
  const entries: Row[] = [{ phase: "created", at: p.created_at }];
  if (p.started_at) entries.push({ phase: "started", at: p.started_at });
  if (p.completed_at) entries.push({ phase: p.status, at: p.completed_at });
  return entries;
}
