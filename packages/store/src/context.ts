// What every repository is built from: the Kysely instance and which engine is behind it.
import type { Kysely } from "kysely";
import type { Database, Dialect } from "./schema.js";

export interface StoreContext {
  db: Kysely<Database>;
  dialect: Dialect;
}
