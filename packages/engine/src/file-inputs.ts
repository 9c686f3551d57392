// Files-API URLs (`<public>/v1/files/<id>`) in a prediction's file inputs: at create only the caller's own live
// uploads are accepted (422 otherwise, nothing queued); at claim they become signed download links, so the runner
// fetches the bytes without a token. The stored input keeps the URL the caller sent.
import { FerryError, fileDownloadUrl, fileInputNames, isoNow } from "@ferry/core";
import type { Account, Clock, InvalidField, Prediction, Store, Version } from "@ferry/core";
import type { Catalog } from "./catalog.js";
import { createBoundedMap } from "./bounded-map.js";
import { invalidFieldsDetail } from "./invalid-fields.js";

/** How long the signed link a runner gets for an input file stays valid (it fetches it right after the claim). */
const INPUT_LINK_TTL_S = 3_600;
const NAMES_CACHE_SIZE = 2_000;
const FILE_ID = /^[A-Za-z0-9_-]+$/;

export interface FileInputs {
  /**
   * Throws FerryError input_validation_failed (422, with invalid_fields) when a file input names a Files-API
   * file that is not one of the account's live uploads: unknown, expired, deleted, or another account's. Returns
   * undefined at once when the input mentions no Files-API URL.
   */
  check(account: Account, version: Version, input: Record<string, unknown>): Promise<void> | undefined;
  /**
   * The input a runner gets: Files-API URLs in file inputs replaced by signed download links. Synchronous (the
   * same object) when the input mentions no Files-API URL, so the claim hot path pays nothing for it.
   */
  forRunner(prediction: Pick<Prediction, "accountId" | "versionId" | "input">): Record<string, unknown> | Promise<Record<string, unknown>>;
}

interface FileRef {
  /** The input it sits in. */
  name: string;
  /** Where, as invalid_fields names it: "image", or "images.1" in an array. */
  field: string;
  url: string;
  id: string;
}

export interface FileInputsDeps {
  store: Store;
  clock: Clock;
  catalog: Catalog;
  /** Without a public URL no input is recognised as a Files-API URL. */
  publicUrl: string | undefined;
  signingKey: () => Promise<string>;
}

export function createFileInputs(deps: FileInputsDeps): FileInputs {
  const { store, clock, catalog } = deps;
  const prefix = deps.publicUrl === undefined ? null : `${deps.publicUrl}/v1/files/`;
  const namesByVersion = createBoundedMap<string[]>(NAMES_CACHE_SIZE);

  /** The id a Files-API URL names, or null for anything else (signed links and other URLs are fetched as they are). */
  function fileIdOf(value: unknown): string | null {
    if (prefix === null || typeof value !== "string" || !value.startsWith(prefix)) return null;
    const id = value.slice(prefix.length);
    return FILE_ID.test(id) ? id : null;
  }

  /** Cheap first look on the hot path: does any top-level value (or array item) look like a Files-API URL? */
  function mentionsFiles(input: Record<string, unknown>): boolean {
    if (prefix === null) return false;
    for (const value of Object.values(input)) {
      if (fileIdOf(value) !== null) return true;
      if (Array.isArray(value) && value.some((item) => fileIdOf(item) !== null)) return true;
    }
    return false;
  }

  function namesOf(version: Version): string[] {
    let names = namesByVersion.get(version.id);
    if (names === undefined) {
      names = fileInputNames(version.openapiSchema);
      namesByVersion.set(version.id, names);
    }
    return names;
  }

  /** Every Files-API URL in the version's file inputs, with the field it sits in ("image", "images.1"). */
  function references(version: Version, input: Record<string, unknown>): FileRef[] {
    const found: FileRef[] = [];
    for (const name of namesOf(version)) {
      const value = input[name];
      const items = Array.isArray(value) ? value.map((item, i) => [`${name}.${i}`, item] as const) : [[name, value] as const];
      for (const [field, item] of items) {
        const id = fileIdOf(item);
        if (id !== null) found.push({ name, field, url: item as string, id });
      }
    }
    return found;
  }

  return {
    check(account, version, input) {
      return mentionsFiles(input) ? checkOwnership(account, version, input) : undefined;
    },

    forRunner(prediction) {
      return mentionsFiles(prediction.input) ? signedInput(prediction) : prediction.input;
    },
  };

  async function checkOwnership(account: Account, version: Version, input: Record<string, unknown>): Promise<void> {
    const now = isoNow(clock);
    const invalid: InvalidField[] = [];
    for (const ref of references(version, input)) {
      const file = await store.files.get(ref.id);
      const usable = file !== null && file.accountId === account.id && file.kind === "upload" && (file.expiresAt === null || file.expiresAt > now);
      if (!usable) {
        invalid.push({ type: "file", field: ref.field, description: `${ref.url} is not one of your files (unknown, expired or deleted)` });
      }
    }
    if (invalid.length > 0) throw new FerryError("input_validation_failed", invalidFieldsDetail(invalid), { invalid_fields: invalid });
  }

  async function signedInput(prediction: Pick<Prediction, "accountId" | "versionId" | "input">): Promise<Record<string, unknown>> {
    const version = await catalog.version(prediction.versionId);
    const refs = version === null ? [] : references(version, prediction.input);
    if (refs.length === 0) return prediction.input;
    const owner = await store.accounts.findById(prediction.accountId);
    if (owner === null) return prediction.input;
    const key = await deps.signingKey();
    const expiry = Math.floor(clock.now().getTime() / 1000) + INPUT_LINK_TTL_S;
    const signed = (value: unknown): unknown => {
      const id = fileIdOf(value);
      return id === null ? value : fileDownloadUrl(deps.publicUrl ?? "", key, owner.username, id, expiry);
    };
    const input = { ...prediction.input };
    for (const name of new Set(refs.map((ref) => ref.name))) {
      const value = input[name];
      input[name] = Array.isArray(value) ? value.map(signed) : signed(value);
    }
    return input;
  }
}
