// End-to-end tests: a real server process driven by the official replicate client, on SQLite and PostgreSQL.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file boots its own servers; running them one at a time keeps 2 cores from starving model processes.
    fileParallelism: false,
    pool: "forks",
  },
});
