// The prediction state machine over every status × event, plus the fields and effects each transition writes.
import { describe, expect, it } from "vitest";
import {
  PREDICTION_EVENT_TYPES,
  STATUSES,
  applyEvent,
  type Prediction,
  type PredictionEvent,
  type PredictionEventType,
  type Status,
} from "../src/index.js";

const CREATED = "2026-01-01T00:00:00.000Z";
const STARTED = "2026-01-01T00:00:01.000Z";
const NOW = "2026-01-01T00:00:03.500Z";

function prediction(status: Status, extra: Partial<Prediction> = {}): Prediction {
  return {
    id: "aaaaaaaaaaaaaaaaaaaaaaaaaa",
    accountId: "acct",
    modelId: "model",
    model: "ferry/count",
    versionId: "v".repeat(64),
    input: {},
    output: null,
    logs: "",
    error: null,
    status,
    source: "api",
    dataRemoved: false,
    createdAt: CREATED,
    startedAt: status === "starting" ? null : STARTED,
    completedAt: null,
    deadline: null,
    metrics: null,
    webhook: null,
    webhookEventsFilter: null,
    canStream: true,
    leaseOwner: "runner-1",
    leaseExpiresAt: NOW,
    ...extra,
  };
}

const EVENTS: Record<PredictionEventType, PredictionEvent> = {
  started: { type: "started" },
  output: { type: "output", chunk: "1" },
  logs: { type: "logs", text: "counted 1\n" },
  succeeded: { type: "succeeded", output: ["1"] },
  failed: { type: "failed", error: "boom" },
  cancel_requested: { type: "cancel_requested" },
  deadline_passed: { type: "deadline_passed" },
  runner_lost: { type: "runner_lost" },
};

/** The next status for each (status, event), or "rejected". Terminal statuses absorb everything. */
const TABLE: Record<Status, Record<PredictionEventType, Status | "rejected">> = {
  starting: {
    started: "processing",
    output: "rejected",
    logs: "rejected",
    succeeded: "rejected",
    failed: "failed",
    cancel_requested: "canceled",
    deadline_passed: "aborted",
    runner_lost: "rejected",
  },
  processing: {
    started: "rejected",
    output: "processing",
    logs: "processing",
    succeeded: "succeeded",
    failed: "failed",
    cancel_requested: "canceled",
    deadline_passed: "canceled",
    runner_lost: "failed",
  },
  succeeded: allRejected(),
  failed: allRejected(),
  canceled: allRejected(),
  aborted: allRejected(),
};

function allRejected(): Record<PredictionEventType, "rejected"> {
  return Object.fromEntries(PREDICTION_EVENT_TYPES.map((e) => [e, "rejected"])) as Record<PredictionEventType, "rejected">;
}

const ORDER: Status[] = ["starting", "processing", "succeeded"];
function rank(status: Status): number {
  return status === "starting" ? 0 : status === "processing" ? 1 : 2;
}

describe("applyEvent over every status × event", () => {
  const cases = STATUSES.flatMap((status) => PREDICTION_EVENT_TYPES.map((event) => [status, event, TABLE[status][event]] as const));

  it.each(cases)("%s + %s → %s", (status, event, expected) => {
    const result = applyEvent(prediction(status), EVENTS[event], NOW);
    if (expected === "rejected") {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toBe(["starting", "processing"].includes(status) ? "not_allowed" : "terminal");
      return;
    }
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.from).toBe(status);
    expect(result.next.status).toBe(expected);
    // A status never moves backwards.
    expect(rank(result.next.status)).toBeGreaterThanOrEqual(rank(status));
  });

  it("covers every status and every event", () => {
    expect(Object.keys(TABLE).sort()).toEqual([...STATUSES].sort());
    expect(STATUSES).toEqual(expect.arrayContaining(ORDER));
    for (const status of STATUSES) expect(Object.keys(TABLE[status]).sort()).toEqual([...PREDICTION_EVENT_TYPES].sort());
  });
});

describe("what each transition writes", () => {
  it("sets started_at and sends the start webhook when a prediction starts", () => {
    const result = applyEvent(prediction("starting"), EVENTS.started, NOW);
    expect(result.ok && result.patch).toEqual({ status: "processing", startedAt: NOW });
    expect(result.ok && result.effects).toEqual([{ type: "webhook", event: "start" }]);
  });

  it("appends output chunks in order and logs as text", () => {
    let p = prediction("processing");
    for (const chunk of ["1", "2", "3"]) {
      const r = applyEvent(p, { type: "output", chunk }, NOW);
      if (!r.ok) throw new Error("rejected");
      p = r.next;
    }
    expect(p.output).toEqual(["1", "2", "3"]);
    const logged = applyEvent(p, { type: "logs", text: "a\n" }, NOW);
    const logged2 = logged.ok ? applyEvent(logged.next, { type: "logs", text: "b\n" }, NOW) : logged;
    expect(logged2.ok && logged2.next.logs).toBe("a\nb\n");
  });

  it("ends with metrics: predict_time from the start, total_time from creation, and frees the lease", () => {
    const result = applyEvent(prediction("processing"), { type: "succeeded", output: "hello" }, NOW);
    if (!result.ok) throw new Error("rejected");
    expect(result.next).toMatchObject({ status: "succeeded", output: "hello", completedAt: NOW, leaseOwner: null, leaseExpiresAt: null });
    expect(result.next.metrics).toEqual({ predict_time: 2.5, total_time: 3.5 });
    expect(result.effects).toEqual([
      { type: "stream", event: "done", reason: null },
      { type: "webhook", event: "completed" },
    ]);
  });

  it("keeps a predict_time the instance reported", () => {
    const result = applyEvent(prediction("processing"), { type: "succeeded", metrics: { predict_time: 1.25 } }, NOW);
    expect(result.ok && result.next.metrics).toEqual({ predict_time: 1.25, total_time: 3.5 });
  });

  it("keeps iterator output when success carries no output", () => {
    const result = applyEvent(prediction("processing", { output: ["1", "2"] }), { type: "succeeded" }, NOW);
    expect(result.ok && result.next.output).toEqual(["1", "2"]);
  });

  it("records the error and streams error then done when a prediction fails", () => {
    const result = applyEvent(prediction("processing"), EVENTS.failed, NOW);
    if (!result.ok) throw new Error("rejected");
    expect(result.next.error).toBe("boom");
    expect(result.effects).toEqual([
      { type: "stream", event: "error", data: "boom" },
      { type: "stream", event: "done", reason: "error" },
      { type: "webhook", event: "completed" },
    ]);
  });

  it("tells the runner to stop a canceled prediction it holds, and not one nobody holds", () => {
    const held = applyEvent(prediction("processing"), EVENTS.cancel_requested, NOW);
    expect(held.ok && held.effects[0]).toEqual({ type: "cancel_on_runner" });
    const queued = applyEvent(prediction("starting", { leaseOwner: null, leaseExpiresAt: null }), EVENTS.cancel_requested, NOW);
    expect(queued.ok && queued.effects.map((e) => e.type)).toEqual(["stream", "webhook"]);
    expect(queued.ok && queued.next.metrics).toEqual({ total_time: 3.5 });
  });

  it("fails a running prediction whose runner was lost with a clear error", () => {
    const result = applyEvent(prediction("processing"), EVENTS.runner_lost, NOW);
    expect(result.ok && result.next.error).toBe("The runner running this prediction was lost");
  });

  it("never changes its input: the prediction it was given is left as it was", () => {
    const before = prediction("processing");
    const copy = structuredClone(before);
    applyEvent(before, { type: "output", chunk: "x" }, NOW);
    expect(before).toEqual(copy);
  });
});
