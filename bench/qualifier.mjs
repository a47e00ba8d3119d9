// `npm run bench -- qualifier`: the offline Qualifier on the hand-written conversations of
// bench/qualifier/ (see its README for how they were made): accuracy and macro-F1 per split and,
// on split E, per language, the confusion matrix, and classifications per second inside the Worker
// (workerd), against the targets macro-F1 ≥ 0.75 and ≥ 5,000/s. The learned model is trained on
// splits A–D (npm run qualifier:train), so only split E — written blind, never trained or tuned
// on — says how it does on fresh text; the target is judged there. The cue scorer alone (the
// offline classifier before the model) is scored beside it for comparison.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fmt, json, root, table } from "./harness.mjs";

/** Its own port: benches of other worktrees on this machine use the default one. */
export const workerOptions = { port: 8813 };

const KINDS = ["hot", "warm", "cold", "customer", "not_a_fit", "spam"];
const LANGUAGES = ["en", "es", "pt", "de", "fr", "ru"];
const NONE = "(none)";
const TARGET_F1 = 0.75;
const TARGET_RATE = 5_000;

function load(folder) {
  return LANGUAGES.flatMap((language) =>
    readFileSync(join(root, "bench", "qualifier", folder, `${language}.jsonl`), "utf8")
      .trim()
      .split("\n")
      .map((line) => ({ ...JSON.parse(line), language })),
  );
}

function scores(items) {
  const n = items.length;
  const correct = items.filter((i) => i.predicted === i.kind).length;
  const f1 = KINDS.map((kind) => {
    const tp = items.filter((i) => i.kind === kind && i.predicted === kind).length;
    const fp = items.filter((i) => i.kind !== kind && i.predicted === kind).length;
    const fn = items.filter((i) => i.kind === kind && i.predicted !== kind).length;
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  const answered = items.filter((i) => i.predicted !== NONE);
  return {
    n,
    accuracy: n ? correct / n : 0,
    macroF1: f1.reduce((a, b) => a + b, 0) / KINDS.length,
    answered: n ? answered.length / n : 0,
    precisionAnswered: answered.length ? answered.filter((i) => i.predicted === i.kind).length / answered.length : 0,
  };
}

function confusion(items) {
  return KINDS.map((kind) => ({
    "gold \\ predicted": kind,
    ...Object.fromEntries([...KINDS, NONE].map((c) => [c, String(items.filter((i) => i.kind === kind && i.predicted === c).length)])),
  }));
}

async function classify(base, items, repeat = 1, classifier = undefined) {
  const t0 = performance.now();
  const res = await json(base, "POST", "/__bench/qualifier", { body: { conversations: items.map((i) => i.messages), repeat, classifier } });
  return { elapsedMs: performance.now() - t0, predictions: res.predictions };
}

const HELD_OUT = "E held out (written blind; never trained or tuned on)";

function rowsOf(name, items, byLanguage) {
  return [null, ...(byLanguage ? LANGUAGES : [])].map((language) => {
    const s = scores(items.filter((i) => language === null || i.language === language));
    return {
      split: language === null ? name : "",
      language: language ?? "all",
      n: s.n,
      accuracy: fmt(s.accuracy, 3),
      "macro-F1": fmt(s.macroF1, 3),
      answered: fmt(s.answered, 2),
      "precision when answered": fmt(s.precisionAnswered, 3),
    };
  });
}

export async function run({ base }) {
  const all = [
    ...load("data").map((i) => ({ ...i, split: "A" })),
    ...load("fresh").map((i) => ({ ...i, split: "B" })),
    ...load("fresh-c").map((i) => ({ ...i, split: "C" })),
    ...load("fresh-d").map((i) => ({ ...i, split: "D" })),
    ...load("fresh-e").map((i) => ({ ...i, split: "E" })),
  ];
  const { predictions } = await classify(base, all);
  all.forEach((item, k) => (item.predicted = predictions[k].kindKey ?? NONE));
  const heldOut = all.filter((i) => i.split === "E");
  const byCues = (await classify(base, heldOut, 1, "cues")).predictions;
  const cuesOnE = heldOut.map((item, k) => ({ ...item, predicted: byCues[k].kindKey ?? NONE }));

  const rows = [
    ...["A", "B", "C", "D"].flatMap((split) => rowsOf(`${split} (trained on)`, all.filter((i) => i.split === split), false)),
    ...rowsOf(HELD_OUT, heldOut, true),
    ...rowsOf("E, the cue scorer alone (for comparison)", cuesOnE, false),
  ];
  console.log("Offline classifier (the learned model); (none) = below the confidence floor, counted as wrong.\n");
  table(rows);
  console.log(`\nConfusion matrix — ${HELD_OUT}:`);
  table(confusion(heldOut));

  // Throughput: the whole set classified `repeat` times inside the Worker, less the same request
  // with nothing classified (transfer and JSON), best of three.
  const repeat = 200;
  await classify(base, all, 20); // warm up the isolate and the JIT
  const samples = [];
  for (let r = 0; r < 3; r++) {
    const empty = await classify(base, all, 0);
    const full = await classify(base, all, repeat);
    samples.push((all.length * repeat) / ((full.elapsedMs - empty.elapsedMs) / 1000));
  }
  const rate = Math.max(...samples);
  const honest = scores(heldOut);
  console.log(`\n${all.length * repeat} classifications per run, best of 3: ${Math.round(rate).toLocaleString("en-US")} conversations/s (target ≥ ${TARGET_RATE.toLocaleString("en-US")}: ${rate >= TARGET_RATE ? "met" : "MISSED"})`);
  console.log(`Macro-F1 on the held-out split E: ${fmt(honest.macroF1, 3)} (target ≥ ${TARGET_F1}: ${honest.macroF1 >= TARGET_F1 ? "met" : "MISSED"}); the cue scorer alone: ${fmt(scores(cuesOnE).macroF1, 3)}`);
}
