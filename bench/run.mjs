// `npm run bench [-- name…]`: runs the named benchmarks (default: all) against a fresh local Worker.
import { startWorker } from "./harness.mjs";

const available = {
  contacts: () => import("./contacts.mjs"),
  inbox: () => import("./inbox.mjs"),
  analytics: () => import("./analytics.mjs"),
  "import-export": () => import("./import-export.mjs"),
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
  const worker = await startWorker(module.workerOptions ?? {});
  console.log(`\n=== ${name} ===`);
  try {
    await module.run(worker);
  } finally {
    await worker.stop();
  }
}
