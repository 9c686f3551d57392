// No orphans: every instance process is registered here and SIGKILLed if the runner's process goes first,
// whether it exits normally or dies of a SIGTERM/SIGINT that nobody else handles.
import type { ChildProcess } from "node:child_process";

const children = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/**
 * On a signal with no other listener, Node's default is to die without an "exit" event: kill the children,
 * then die of the same signal. When the application listens too, its handler owns shutdown (runner.stop()).
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  killAll();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

/** Tracks a child until it exits; it is killed if the current process ends while it still runs. */
export function registerChild(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.on("exit", killAll);
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
  children.add(child);
  child.once("exit", () => children.delete(child));
  child.once("error", () => {
    if (child.pid === undefined) children.delete(child);
  });
}
