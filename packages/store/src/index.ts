// @ferry/store: the Store port (packages/core ports.ts) on SQLite and PostgreSQL through Kysely.
export { createStore } from "./create-store.js";
export { storeConfigFromUrl } from "./config.js";
export type { StoreConfig } from "./config.js";
