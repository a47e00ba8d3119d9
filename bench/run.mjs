// `npm run bench [-- name…]`: runs the named benchmarks (default: all) against a fresh local Worker.
import { startWorker } from "./harness.mjs";

const available = {
  contacts: () => import("./contacts.mjs"),
  inbox: () => import("./inbox.mjs"),
  analytics: () => import("./analytics.mjs"),
  "import-export": () => import("./import-export.mjs"),
  webhooks: () => import("./webhooks.mjs"),
  email: () => import("./email.mjs"),
  discord: () => import("./discord.mjs"),
  qualifier: () => import("./qualifier.mjs"),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const selected = names.length ? names : Object.keys(available);
for (const name of selected) {
  if (!available[name]) {
    console.error(`unknown benchmark "${name}"; available: ${Object.keys(available).join(", ")}`);
    process.exit(2);
  }
}

for (const name of selected) {
  const module = await available[name]();
  const options = typeof module.workerOptions === "function" ? await module.workerOptions() : (module.workerOptions ?? {});
  const worker = await startWorker(options);
  console.log(`\n=== ${name} ===`);
  try {
    await module.run(worker);
  } finally {
    await worker.stop();
    await module.cleanup?.();
  }
}
