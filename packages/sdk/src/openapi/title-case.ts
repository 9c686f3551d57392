// Cog titles inputs and output fields by title-casing their snake_case names.

/** "num_steps" → "Num Steps". */
export function titleCase(name: string): string {
  return name
    .split("_")
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join(" ");
}
