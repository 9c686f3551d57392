// The hardware SKUs Ferry knows, in Replicate's words (spec §2.8), each with its price per second of use
// (DESIGN §5: runtime-priced predictions cost predict seconds × this). [0] is CPU, which every runner has.
import type { HardwareJSON } from "@ferry/core";

export interface HardwareSku extends HardwareJSON {
  /** US dollars per second an instance of this SKU runs. */
  pricePerSecondUsd: number;
}

export const HARDWARE: readonly HardwareSku[] = [
  { name: "CPU", sku: "cpu", pricePerSecondUsd: 0.0001 },
  { name: "Nvidia T4 GPU", sku: "gpu-t4", pricePerSecondUsd: 0.000225 },
  { name: "Nvidia A40 GPU", sku: "gpu-a40-small", pricePerSecondUsd: 0.000575 },
  { name: "Nvidia A40 (Large) GPU", sku: "gpu-a40-large", pricePerSecondUsd: 0.000725 },
  { name: "Nvidia L40S GPU", sku: "gpu-l40s", pricePerSecondUsd: 0.000975 },
  { name: "Nvidia A100 (80GB) GPU", sku: "gpu-a100-large", pricePerSecondUsd: 0.0014 },
  { name: "Nvidia H100 GPU", sku: "gpu-h100", pricePerSecondUsd: 0.001525 },
];

export function isHardwareSku(sku: string): boolean {
  return HARDWARE.some((h) => h.sku === sku);
}

export function hardwareBySku(sku: string): HardwareSku | null {
  return HARDWARE.find((h) => h.sku === sku) ?? null;
}
