// The one message a runner sends a spare instance process (bin/spare.ts): which model to load, with which environment.

export interface SpareLaunch {
  /** The model's entry file (absolute, as the runner resolves it). */
  entry: string;
  /** The instance's whole environment; it replaces the spare's own before the model is imported. */
  env: Record<string, string>;
}

/** The line a runner writes to a spare's stdin. */
export function formatSpareLaunch(launch: SpareLaunch): string {
  return `${JSON.stringify(launch)}\n`;
}

/** Parses one launch line; a string is what is wrong with it. */
export function parseSpareLaunch(line: string): SpareLaunch | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "the launch message is not JSON";
  }
  if (typeof value !== "object" || value === null) return "the launch message is not an object";
  const { entry, env } = value as { entry?: unknown; env?: unknown };
  if (typeof entry !== "string" || entry === "") return "the launch message has no entry";
  if (typeof env !== "object" || env === null || Array.isArray(env)) return "the launch message has no env object";
  for (const [key, item] of Object.entries(env)) if (typeof item !== "string") return `env.${key} is not a string`;
  return { entry, env: env as Record<string, string> };
}
