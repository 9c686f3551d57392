// What the machine a runner starts on has: CPU cores and memory from the OS, GPUs from `nvidia-smi` when it is
// installed. A missing, hanging or failing nvidia-smi means "no GPUs", never a runner that cannot start.
import { execFile } from "node:child_process";
import os from "node:os";
import type { RunnerResources } from "@ferry/core";

/** nvidia-smi may take a while on its first call (driver load), but a runner's start must not hang on it. */
const NVIDIA_SMI_TIMEOUT_MS = 5_000;
const MIB = 1024 * 1024;

export interface DetectOptions {
  /** The nvidia-smi executable. Default "nvidia-smi" from PATH. */
  nvidiaSmi?: string;
  timeoutMs?: number;
}

export async function detectResources(options: DetectOptions = {}): Promise<RunnerResources> {
  return {
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    gpus: await detectGpus(options.nvidiaSmi ?? "nvidia-smi", options.timeoutMs ?? NVIDIA_SMI_TIMEOUT_MS),
  };
}

function detectGpus(command: string, timeoutMs: number): Promise<RunnerResources["gpus"]> {
  return new Promise((resolve) => {
    execFile(
      command,
      ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
      { timeout: timeoutMs, killSignal: "SIGKILL", windowsHide: true },
      (error, stdout) => resolve(error === null ? parseNvidiaSmi(stdout) : []),
    );
  });
}

/** One GPU per line: `NVIDIA H100 80GB HBM3, 81559` (memory in MiB; "[N/A]" on some boards). */
export function parseNvidiaSmi(text: string): RunnerResources["gpus"] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => {
      const comma = line.lastIndexOf(",");
      const name = (comma < 0 ? line : line.slice(0, comma)).trim();
      const mib = comma < 0 ? NaN : Number(line.slice(comma + 1).trim());
      return { name, memoryBytes: Number.isFinite(mib) && mib > 0 ? Math.round(mib * MIB) : null };
    });
}

/** Hardware SKUs as an operator writes them (`cpu,gpu-t4`): trimmed, deduplicated, "cpu" first when present. */
export function parseHardwareList(text: string): string[] {
  const skus = [...new Set(text.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
  const invalid = skus.filter((s) => !/^[a-z0-9][a-z0-9-]*$/.test(s));
  if (invalid.length > 0) throw new Error(`Invalid hardware name ${JSON.stringify(invalid[0])}: use SKU names such as cpu or gpu-t4`);
  if (skus.length === 0) throw new Error("The hardware list is empty: name at least one SKU, such as cpu");
  return skus.includes("cpu") ? ["cpu", ...skus.filter((s) => s !== "cpu")] : skus;
}
