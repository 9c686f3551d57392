// A stand-in runner that speaks the real control plane (claim, report) without starting model processes:
// each queued prediction is claimed and handed to `play`, which reports whatever events the test needs.
import type { ControlPlane, PredictionEvent } from "@ferry/core";

export type Report = (event: PredictionEvent) => Promise<unknown>;

/** Claims work as it is queued and runs `play` for each claimed prediction. Returns a stop function. */
export function playRunner(controlPlane: ControlPlane, play: (report: Report, input: Record<string, unknown>) => Promise<void>) {
  const runnerId = "test-runner";
  return controlPlane.subscribe((signal) => {
    if (signal.type !== "work_queued") return;
    void (async () => {
      const assignment = await controlPlane.claim(runnerId, signal.versionId);
      if (assignment === null) return;
      await play((event) => controlPlane.report(runnerId, assignment.predictionId, event), assignment.input);
    })();
  });
}
