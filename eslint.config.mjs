// Lint enforces async hygiene and the layering of DESIGN §3: no import cycles, no deep imports across packages.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX from "eslint-plugin-import-x";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", ".ferry/**", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver-next": [
        (await import("eslint-import-resolver-typescript")).createTypeScriptImportResolver({ project: "./tsconfig.json" }),
      ],
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "import-x/no-cycle": ["error", { maxDepth: 10 }],
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            // @ferry/model-kit/testing is an entry point of its own: the harness of the official models' tests.
            { group: ["@ferry/*/src/*", "@ferry/*/*", "!@ferry/model-kit/testing"], message: "Import a package by its name, not its files." },
          ],
        },
      ],
    },
  },
  {
    // Model code never loads the test harness.
    files: ["models/*/src/**/*.ts", "packages/*/src/**/*.ts", "apps/*/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@ferry/*/src/*", "@ferry/*/*"], message: "Import a package by its name, not its files; test helpers only in tests." }] },
      ],
    },
  },
  {
    files: ["packages/core/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@ferry/*"], message: "core imports nothing internal." }] }],
    },
  },
  {
    files: ["packages/engine/src/**/*.ts", "packages/store/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@ferry/*", "!@ferry/core"], message: "engine and store import core only (DESIGN §3)." }] },
      ],
    },
  },
);
