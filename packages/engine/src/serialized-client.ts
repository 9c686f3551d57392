// Spots the replicate JS client 1.4.0 bug (spec §6.1) where fileEncodingStrategy "data-uri" sends the client
// object itself, API token included, as the prediction input. Such input is rejected and never logged.
import { FerryError } from "@ferry/core";

const CLIENT_KEYS = ["baseUrl", "userAgent", "fileEncodingStrategy", "useFileOutput", "fetch"] as const;

export function looksLikeSerializedClient(input: unknown): boolean {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return false;
  if (!Object.hasOwn(input, "auth")) return false;
  return CLIENT_KEYS.some((key) => Object.hasOwn(input, key));
}

/** Throws FerryError serialized_client_input for a serialized client. */
export function rejectSerializedClient(input: unknown): void {
  if (looksLikeSerializedClient(input)) throw new FerryError("serialized_client_input");
}
