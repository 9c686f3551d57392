// Blob keys are checked the same way by every adapter, so a key that works on a laptop works on S3 too,
// and no key can climb out of the local folder.

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_KEY_LENGTH = 512;

/** Whether `key` is a valid blob key: "/"-separated segments of letters, digits, ".", "_" and "-", none starting with ".". */
export function isBlobKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_KEY_LENGTH && key.split("/").every((segment) => SEGMENT.test(segment));
}

/** Throws for an invalid key (a programming error, never user input). */
export function assertBlobKey(key: string): void {
  if (!isBlobKey(key)) throw new Error(`Invalid blob key: ${JSON.stringify(key)}`);
}

/** The body of a put as an async iterable, whichever form it was given in. */
export async function* chunksOf(body: Uint8Array | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  yield* body;
}
