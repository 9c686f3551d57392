// Building and compiling a Kysely query costs more than running it on SQLite. The hot queries are built and
// compiled by Kysely once per shape, from placeholder values; later calls reuse that SQL with their own values.
import { CompiledQuery } from "kysely";
import type { Compilable } from "kysely";

/** A placeholder no real value can equal: it marks where each value lands among the compiled parameters. */
const PLACEHOLDER = "\u0000ferry-query-value:";

type Slot = { key: string } | { constant: unknown };

interface Template {
  sql: string;
  slots: Slot[];
}

export interface QueryTemplates {
  /**
   * Compiles `build(values)`, reusing the SQL compiled the first time `name` was built with these keys. `build`
   * must give every value to Kysely as a parameter, unchanged, and depend on nothing but `values`' keys.
   */
  compile<V extends Record<string, unknown>>(name: string, values: V, build: (values: V) => Compilable<unknown>): CompiledQuery;
}

/** At most `size` templates are kept; a shape past that is compiled on each call. */
export function createQueryTemplates(size = 128): QueryTemplates {
  const templates = new Map<string, Template | null>();

  function learn(values: Record<string, unknown>, build: (values: never) => Compilable<unknown>): Template | null {
    const placeholders = Object.fromEntries(Object.keys(values).map((key) => [key, `${PLACEHOLDER}${key}`]));
    const compiled = build(placeholders as never).compile();
    const slots = compiled.parameters.map((parameter): Slot => {
      if (typeof parameter === "string" && parameter.startsWith(PLACEHOLDER)) return { key: parameter.slice(PLACEHOLDER.length) };
      return { constant: parameter };
    });
    // A value Kysely did not pass through as a parameter (inlined, or transformed) cannot be templated.
    const used = new Set(slots.flatMap((slot) => ("key" in slot ? [slot.key] : [])));
    if (used.size !== Object.keys(values).length || compiled.sql.includes(PLACEHOLDER)) return null;
    return { sql: compiled.sql, slots };
  }

  return {
    compile(name, values, build) {
      // Kysely leaves undefined values out of the query, so they would change its shape.
      if (Object.values(values).includes(undefined)) return build(values).compile();
      const shape = `${name}:${Object.keys(values).join(",")}`;
      let template = templates.get(shape);
      if (template === undefined) {
        template = learn(values, build);
        if (templates.size < size) templates.set(shape, template);
      }
      if (template === null) return build(values).compile();
      const parameters = template.slots.map((slot) => ("key" in slot ? values[slot.key] : slot.constant));
      return CompiledQuery.raw(template.sql, parameters);
    },
  };
}
