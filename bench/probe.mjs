import { startWorker, newWorkspace, timeGets, percentile, fmt } from "./harness.mjs";
const w = await startWorker({ port: 8798 });
try {
  const ws = await newWorkspace(w.base);
  for (const [label, path, token] of [["health", "/health"], ["kinds (auth+1 query)", "/v1/qualification-kinds", ws.token], ["raw sql select 1", null]]) {
    if (!path) continue;
    const s = await timeGets(w.base, path, { token, runs: 200 });
    console.log(label, fmt(percentile(s, 50)), fmt(percentile(s, 99)));
  }
} finally { await w.stop(); }
