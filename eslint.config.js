import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules", ".wrangler", "src/worker-configuration.d.ts", "bench/.out", "public"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.serviceworker } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["scripts/**/*.mjs", "bench/**/*.mjs", "bots/**/*.{mjs,ts}", "test/fakes/**/*.mjs", "test/setup/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      // Response bodies in tests are whatever JSON the API sent; asserting on them is the point.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
);
