// Gives each test a fresh database and an open Store on it, closed and dropped afterwards.
import { afterEach, beforeEach } from "vitest";
import type { Store } from "@ferry/core";
import type { StoreFactory, TestDatabase } from "./store-factories.js";

export interface StoreFixture {
  store: Store;
  database: TestDatabase;
}

/** Call inside a describe block; read `.store` / `.database` inside tests. */
export function useStore(factory: StoreFactory): StoreFixture {
  const fixture = {} as StoreFixture;
  beforeEach(async () => {
    fixture.database = await factory.create();
    fixture.store = await fixture.database.open();
  });
  afterEach(async () => {
    await fixture.database.dispose();
  });
  return fixture;
}
