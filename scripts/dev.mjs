// `npm run dev`: local D1 migrations, `wrangler dev` on :8787, then an idempotent demo seed
// through the API itself, and the demo token with a ready curl.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { seedDemo } from "./seed-demo.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8787);
const base = `http://localhost:${port}`;
// Run wrangler on this process's Node (the pinned 22), whatever PATH says.
const wranglerJs = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
const wrangler = process.execPath;

if (!existsSync(join(root, ".dev.vars"))) {
  copyFileSync(join(root, ".dev.vars.example"), join(root, ".dev.vars"));
  console.log("Created .dev.vars from .dev.vars.example");
}
const devVars = Object.fromEntries(
  readFileSync(join(root, ".dev.vars"), "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1).trim()]),
);

// The Worker answers 500 server_misconfigured for a missing or malformed secret (src/lib/settings.ts);
// refuse to start with one rather than find out on the first request. Same rules as the Worker's.
function settingProblems(vars) {
  const problems = [];
  const key = vars.ENCRYPTION_KEY ?? "";
  if (!key) problems.push("ENCRYPTION_KEY is not set");
  else if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) problems.push("ENCRYPTION_KEY is not base64");
  else if (Buffer.from(key, "base64").length !== 32) {
    problems.push(`ENCRYPTION_KEY must be 32 bytes, base64-encoded (it is ${Buffer.from(key, "base64").length} bytes)`);
  }
  const admin = vars.ADMIN_TOKEN ?? "";
  if (!admin) problems.push("ADMIN_TOKEN is not set");
  else if (admin.length < 16 || !/^[\x21-\x7e]+$/.test(admin)) problems.push("ADMIN_TOKEN must be at least 16 printable characters without spaces");
  return problems;
}
const problems = settingProblems(devVars);
if (problems.length > 0) {
  console.error(`.dev.vars is not usable:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .dev.vars.example (generate a key with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))").`);
  process.exit(1);
}

const migrate = spawnSync(wrangler, [wranglerJs, "d1", "migrations", "apply", "DB", "--local"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

// Parley never reads request.cf, so wrangler need not fetch it from Cloudflare at start-up.
const server = spawn(wrangler, [wranglerJs, "dev", "--port", String(port), "--ip", "127.0.0.1", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));

async function waitForHealth() {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the API did not answer on ${base}/health`);
}

try {
  await waitForHealth();
  const stateFile = join(root, ".wrangler", "demo.json");
  const demo = await seedDemo(base, devVars.ADMIN_TOKEN, existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")) : null);
  mkdirSync(dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, JSON.stringify(demo, null, 2));
  console.log(`
Parley is running on ${base}  (API reference: ${base}/docs)
Demo workspace "${demo.workspaceName}": owner ${demo.ownerEmail}, rep ${demo.repEmail}
Demo owner token: ${demo.ownerToken}
Demo rep token:   ${demo.repToken}

  curl -s -H "Authorization: Bearer ${demo.ownerToken}" "${base}/v1/contacts?limit=5"
`);
} catch (error) {
  console.error(`Seeding failed: ${error instanceof Error ? error.message : error}`);
}
