import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { copyDocsAssets } from "./scripts/copy-docs-assets.mjs";

// wrangler.toml's [assets] directory must exist before the Worker starts, however vitest is run.
copyDocsAssets();

export default defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          ADMIN_TOKEN: "test-admin-token",
          ENCRYPTION_KEY: "dGVzdC1rZXktdGhpcnR5LXR3by1ieXRlcy1sb25nISE=",
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          // Providers are reached only through these base URLs: here, the fakes of test/fakes/.
          TELEGRAM_API_BASE_URL: inject<string>("telegramApiUrl"),
          WHATSAPP_API_BASE_URL: inject<string>("whatsappApiUrl"),
          EMAIL_API_BASE_URL: inject<string>("emailApiUrl"),
          DISCORD_API_BASE_URL: inject<string>("discordApiUrl"),
          TWILIO_API_BASE_URL: inject<string>("twilioApiUrl"),
          PUBLIC_BASE_URL: "https://parley.test",
        },
        // Small budgets so the 429 paths are testable; every test makes its own users.
        // Test requests come from a random address each (test/helpers/api.ts) unless a test names one.
        ratelimits: {
          RATE_LIMITER: { namespace_id: "1001", simple: { limit: 120, period: 60 } },
          IP_RATE_LIMITER: { namespace_id: "1002", simple: { limit: 20, period: 60 } },
        },
      },
    })),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/setup/global.mjs"],
    setupFiles: ["./test/setup/apply-migrations.ts"],
    testTimeout: 30_000,
    deps: { optimizer: { ssr: { enabled: true, include: ["discord-api-types/v10", "@discordjs/builders"] } } },
  },
});
