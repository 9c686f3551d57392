// The hardware SKUs Ferry knows, in Replicate's words (spec §2.8). [0] is CPU, which every runner has.
import type { HardwareJSON } from "@ferry/core";

export const HARDWARE: readonly HardwareJSON[] = [
  { name: "CPU", sku: "cpu" },
  { name: "Nvidia T4 GPU", sku: "gpu-t4" },
  { name: "Nvidia A40 GPU", sku: "gpu-a40-small" },
  { name: "Nvidia A40 (Large) GPU", sku: "gpu-a40-large" },
  { name: "Nvidia L40S GPU", sku: "gpu-l40s" },
  { name: "Nvidia A100 (80GB) GPU", sku: "gpu-a100-large" },
  { name: "Nvidia H100 GPU", sku: "gpu-h100" },
];

export function isHardwareSku(sku: string): boolean {
  return HARDWARE.some((h) => h.sku === sku);
}
