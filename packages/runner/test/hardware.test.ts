// Hardware detection: nvidia-smi's CSV, and a machine without it (or with one that hangs) has no GPUs.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { detectResources, parseHardwareList, parseNvidiaSmi } from "../src/hardware.js";

function fakeNvidiaSmi(script: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "ferry-smi-")), "nvidia-smi");
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("hardware detection", () => {
  test("reads GPU names and memory from nvidia-smi's CSV", () => {
    expect(parseNvidiaSmi("NVIDIA H100 80GB HBM3, 81559\nTesla T4, [N/A]\n\n")).toEqual([
      { name: "NVIDIA H100 80GB HBM3", memoryBytes: 81559 * 1024 * 1024 },
      { name: "Tesla T4", memoryBytes: null },
    ]);
  });

  test("detects cores and memory, and GPUs through the nvidia-smi it is given", async () => {
    const resources = await detectResources({ nvidiaSmi: fakeNvidiaSmi('echo "NVIDIA L40S, 46068"') });
    expect(resources.cpus).toBeGreaterThan(0);
    expect(resources.memoryBytes).toBeGreaterThan(0);
    expect(resources.gpus).toEqual([{ name: "NVIDIA L40S", memoryBytes: 46068 * 1024 * 1024 }]);
  });

  test("has no GPUs when nvidia-smi is missing, fails or hangs past the timeout", async () => {
    expect((await detectResources({ nvidiaSmi: "/nonexistent/nvidia-smi" })).gpus).toEqual([]);
    expect((await detectResources({ nvidiaSmi: fakeNvidiaSmi("echo 'NVIDIA-SMI has failed' >&2; exit 9") })).gpus).toEqual([]);
    const started = Date.now();
    expect((await detectResources({ nvidiaSmi: fakeNvidiaSmi("sleep 30"), timeoutMs: 300 })).gpus).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("reads an operator's hardware list, cpu first, and rejects names that are not SKUs", () => {
    expect(parseHardwareList(" gpu-t4, cpu ,gpu-t4")).toEqual(["cpu", "gpu-t4"]);
    expect(() => parseHardwareList("GPU T4")).toThrow(/Invalid hardware name "GPU T4"/);
    expect(() => parseHardwareList(" , ")).toThrow(/empty/);
  });
});
