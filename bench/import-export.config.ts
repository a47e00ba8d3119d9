// vitest config for the import/export benchmark inside workerd (not part of `npm test`):
//   npx vitest run --config bench/import-export.config.ts
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          ADMIN_TOKEN: "test-admin-token",
          ENCRYPTION_KEY: "dGVzdC1rZXktdGhpcnR5LXR3by1ieXRlcy1sb25nISE=",
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
        },
      },
    })),
  ],
  test: {
    include: ["bench/import-export.workerd.ts"],
    setupFiles: ["./test/setup/apply-migrations.ts"],
    testTimeout: 900_000,
  },
});
