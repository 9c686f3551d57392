// File names for downloaded inputs (from Content-Disposition or the URL's last segment, made safe for a folder),
// and URLs as error messages may show them: without the query, which may carry a signature or a token.

const MAX_NAME_BYTES = 200;

/** The name a downloaded file is kept under: `filename*`, then `filename`, then the last path segment, else "input". */
export function fileNameFrom(contentDisposition: string | undefined, url: URL): string {
  return safeFileName(dispositionName(contentDisposition ?? "") ?? lastSegment(url) ?? "");
}

/** A base name with no separators, control characters or leading dots, at most 200 bytes; "input" when nothing is left. */
export function safeFileName(raw: string): string {
  let name = raw.replace(/[\p{Cc}/\\:*?"<>|]/gu, "_").replace(/^[.\s]+/, "").trim();
  while (Buffer.byteLength(name, "utf8") > MAX_NAME_BYTES) name = name.slice(1);
  return name === "" ? "input" : name;
}

/** `scheme://host/path` of a URL, without user info, query or fragment. */
export function describeUrl(href: string): string {
  if (href.startsWith("data:")) return "a data: URI";
  try {
    const url = new URL(href);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "an invalid URL";
  }
}

function dispositionName(header: string): string | null {
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended?.[2] !== undefined) {
    try {
      return decodeURIComponent(extended[2].trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
  const value = plain?.[1]?.replace(/\\(.)/g, "$1") ?? plain?.[2];
  return value === undefined || value === "" ? null : value;
}

function lastSegment(url: URL): string | null {
  const segment = url.pathname.split("/").filter((part) => part !== "").at(-1);
  if (segment === undefined) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
