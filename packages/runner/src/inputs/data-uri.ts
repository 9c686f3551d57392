// data: URIs are handed to the instance as they are (it decodes them itself); the runner only checks their size.

/** The decoded size of a data: URI in bytes (without decoding it), or null when it is not a well-formed one. */
export function dataUriSize(uri: string): number | null {
  if (!uri.startsWith("data:")) return null;
  const comma = uri.indexOf(",");
  if (comma === -1) return null;
  const meta = uri.slice(5, comma);
  const data = uri.slice(comma + 1);
  if (/;base64$/i.test(meta)) {
    const compact = data.replace(/\s+/g, "");
    const padding = compact.endsWith("==") ? 2 : compact.endsWith("=") ? 1 : 0;
    return Math.max(0, Math.floor((compact.length * 3) / 4) - padding);
  }
  const escapes = data.match(/%[0-9a-f]{2}/gi)?.length ?? 0;
  return data.length - 2 * escapes;
}
