// A bounded ring of the last lines a child process wrote, so a crash or a failed setup can say why.

export interface LogTail {
  /** Appends raw output; complete lines enter the ring, a trailing partial line waits for its newline. */
  write(chunk: string): void;
  /** The last `count` lines (the pending partial line included), joined with newlines. */
  last(count?: number): string;
}

export function createLogTail(maxLines = 200, maxLineLength = 2_000): LogTail {
  const lines: string[] = [];
  let partial = "";

  const push = (line: string): void => {
    lines.push(line.length > maxLineLength ? `${line.slice(0, maxLineLength)}…` : line);
    if (lines.length > maxLines) lines.shift();
  };

  return {
    write(chunk) {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      if (partial.length > maxLineLength) {
        push(partial);
        partial = "";
      }
      for (const part of parts) push(part.replace(/\r$/, ""));
    },
    last(count = maxLines) {
      const all = partial === "" ? lines : [...lines, partial];
      return all.slice(-count).join("\n");
    },
  };
}
