import { readFileSync } from "node:fs";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { copyDocsAssets } from "./scripts/copy-docs-assets.mjs";

// wrangler.toml's [assets] directory must exist before the Worker starts, however vitest is run.
copyDocsAssets();

/** Files that need bindings the rest of the suite must run without. */
const WORKERS_AI_TESTS = ["test/qualifier-ai.test.ts"];

type PoolOptions = Exclude<Parameters<typeof cloudflareTest>[0], (...args: never[]) => unknown>;
type Miniflare = NonNullable<PoolOptions["miniflare"]>;

/**
 * A project of tests running inside workerd against the Worker of wrangler.toml, with fake
 * providers' base URLs; `extra` adds bindings (the optional AI binding) for one project only.
 */
async function workersProject(
  name: string,
  files: { include: string[]; exclude?: string[] },
  extra: Pick<Miniflare, "serviceBindings" | "workers"> & { bindings?: Record<string, string> } = {},
) {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest(async ({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ADMIN_TOKEN: "test-admin-token",
            ENCRYPTION_KEY: "dGVzdC1rZXktdGhpcnR5LXR3by1ieXRlcy1sb25nISE=",
            TEST_MIGRATIONS: migrations,
            // Providers are reached only through these base URLs: here, the fakes of test/fakes/.
            TELEGRAM_API_BASE_URL: inject<string>("telegramApiUrl"),
            WHATSAPP_API_BASE_URL: inject<string>("whatsappApiUrl"),
            EMAIL_API_BASE_URL: inject<string>("emailApiUrl"),
            DISCORD_API_BASE_URL: inject<string>("discordApiUrl"),
            TWILIO_API_BASE_URL: inject<string>("twilioApiUrl"),
            PUBLIC_BASE_URL: "https://parley.test",
            ...extra.bindings,
          },
          // Small budgets so the 429 paths are testable; every test makes its own users.
          // Test requests come from a random address each (test/helpers/api.ts) unless a test names one.
          ratelimits: {
            RATE_LIMITER: { namespace_id: "1001", simple: { limit: 120, period: 60 } },
            IP_RATE_LIMITER: { namespace_id: "1002", simple: { limit: 20, period: 60 } },
          },
          ...(extra.serviceBindings ? { serviceBindings: extra.serviceBindings } : {}),
          ...(extra.workers ? { workers: extra.workers } : {}),
        },
      })),
    ],
    test: {
      name,
      ...files,
      globalSetup: ["./test/setup/global.mjs"],
      setupFiles: ["./test/setup/apply-migrations.ts"],
      testTimeout: 30_000,
      deps: { optimizer: { ssr: { enabled: true, include: ["discord-api-types/v10", "@discordjs/builders"] } } },
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      await workersProject("app", { include: ["test/**/*.test.ts"], exclude: WORKERS_AI_TESTS }),
      // The Qualifier with an AI binding: a stub Worker answering like Workers AI (test/fakes/).
      await workersProject(
        "workers-ai",
        { include: WORKERS_AI_TESTS },
        {
          bindings: { AI_QUALIFIER_TIMEOUT_MS: "500" },
          serviceBindings: { AI: "workers-ai-stub" },
          workers: [
            {
              name: "workers-ai-stub",
              modules: true,
              script: readFileSync("./test/fakes/workers-ai-stub.mjs", "utf8"),
              compatibilityDate: "2026-10-01",
            },
          ],
        },
      ),
    ],
  },
});
