// `npm run qualifier:train`: trains the offline Qualifier's model on splits A–D of bench/qualifier/
// (never on split E, the held-out set), prints grouped cross-validation on A–D, and writes the
// weights to src/qualifier/model.generated.json. Deterministic: the same data, the same file.
// `-- --check` only compares the committed file with what training produces (test/qualifier-model
// .test.ts checks the same inside workerd).
// QUALIFIER_TRAIN_OPTIONS='{"l2":1e-3,"groups":{"cue":0.1}}' cross-validates other options and
// writes nothing.
// The features and the training are the Worker's own TypeScript (src/qualifier/features.ts,
// training.ts), bundled here with esbuild so Node runs exactly the code the Worker runs.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const LANGUAGES = ["en", "es", "pt", "de", "fr", "ru"];
/** The training splits: A (data/), B, C, D. Split E (fresh-e/) is held out and never read here. */
export const TRAINING_FOLDERS = ["data", "fresh", "fresh-c", "fresh-d"];
const MODEL_PATH = join(root, "src", "qualifier", "model.generated.json");

async function loadModules() {
  const bundle = await build({
    stdin: {
      contents: `export { extractFeatures, GROUP_WEIGHTS } from "./src/qualifier/features";
        export * from "./src/qualifier/training";
        export { softmax } from "./src/qualifier/model";
        export { DEFAULT_KINDS, CONFIDENCE_FLOOR } from "./src/qualifier/qualifier";`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    write: false,
  });
  return import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString("base64")}`);
}

function loadItems(folders) {
  return folders.flatMap((folder) =>
    LANGUAGES.flatMap((language) =>
      readFileSync(join(root, "bench", "qualifier", folder, `${language}.jsonl`), "utf8")
        .trim()
        .split("\n")
        .map((line) => ({ ...JSON.parse(line), language })),
    ),
  );
}

function macroF1(gold, predicted, kinds) {
  const f1 = kinds.map((kind) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      if (g === kind && predicted[i] === kind) tp++;
      else if (predicted[i] === kind) fp++;
      else if (g === kind) fn++;
    });
    return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  });
  return f1.reduce((a, b) => a + b, 0) / kinds.length;
}

/** Accuracy and macro-F1 of the held-out scores, overall, per language and on split D alone. */
function report(m, items, heldOutLogits, temperature) {
  const predicted = heldOutLogits.map((z) => m.DEFAULT_KINDS[z.indexOf(Math.max(...z))]);
  const confidence = heldOutLogits.map((z) => Math.max(...m.softmax(z.map((v) => v / temperature))));
  const subsets = [
    ["all", () => true],
    ...LANGUAGES.map((language) => [language, (item) => item.language === language]),
    ["split D only (cue lists never tuned on it)", (item) => m.scenarioOf(item.id).startsWith("d")],
  ];
  return subsets.map(([name, inSubset]) => {
    const at = items.flatMap((item, i) => (inSubset(item) ? [i] : []));
    const gold = at.map((i) => items[i].kind);
    const pred = at.map((i) => predicted[i]);
    const floored = at.map((i) => (confidence[i] >= m.CONFIDENCE_FLOOR ? predicted[i] : "(none)"));
    return {
      subset: name,
      n: at.length,
      accuracy: (gold.filter((g, j) => g === pred[j]).length / at.length).toFixed(3),
      "macro-F1": macroF1(gold, pred, m.DEFAULT_KINDS).toFixed(3),
      [`macro-F1, floor ${m.CONFIDENCE_FLOOR}`]: macroF1(gold, floored, m.DEFAULT_KINDS).toFixed(3),
      answered: (floored.filter((p) => p !== "(none)").length / at.length).toFixed(2),
    };
  });
}

function withoutCues({ features, kind }) {
  const keep = features.names.flatMap((name, i) => (name.startsWith("cue:") ? [] : [i]));
  const pick = (list) => keep.map((i) => list[i]);
  return { kind, features: { names: pick(features.names), values: pick(features.values), labels: pick(features.labels) } };
}

function printCrossValidation(m, items, examples, cv, temperature, options, threshold) {
  console.log(`Grouped ${m.FOLDS}-fold cross-validation on splits A–D (${items.length} conversations), folded by scenario`);
  console.log("(an item number and all its translations are in one fold):");
  cv.folds.forEach((fold, f) => console.log(`  fold ${f + 1}: items ${fold.join(" ")}`));
  console.table(report(m, items, cv.heldOutLogits, temperature));
  // The cue lists were tuned on A–C (and A–D's wording leaked into them), so their six features
  // flatter the figures above except on split D; the model without them is the fairer estimate.
  const bare = examples.map(withoutCues);
  const bareCv = m.crossValidate(items, bare, options, threshold);
  console.log("The same model without the cue scorer's six features:");
  console.table(report(m, items, bareCv.heldOutLogits, temperature).filter((row) => row.subset === "all" || row.subset.startsWith("split D")));
}

async function main() {
  const check = process.argv.includes("--check");
  const m = await loadModules();
  const items = loadItems(TRAINING_FOLDERS);

  const trial = process.env.QUALIFIER_TRAIN_OPTIONS;
  if (trial) {
    const { groups, threshold = m.STORE_THRESHOLD, ...overrides } = JSON.parse(trial);
    const options = { ...m.TRAIN_OPTIONS, ...overrides };
    const examples = items.map((item) => ({ features: m.extractFeatures(item.messages, { ...m.GROUP_WEIGHTS, ...groups }), kind: m.kindIndexOf(item.kind) }));
    const cv = m.crossValidate(items, examples, options, threshold);
    const temperature = m.fitTemperature(cv.heldOutLogits, examples.map((e) => e.kind));
    console.log(`Options ${JSON.stringify(options)}, groups ${JSON.stringify({ ...m.GROUP_WEIGHTS, ...groups })}, temperature ${temperature}; nothing written.`);
    printCrossValidation(m, items, examples, cv, temperature, options, threshold);
    return;
  }

  const { model, examples, cv } = m.buildModel(items);
  const text = `${JSON.stringify(model)}\n`;
  if (check) {
    const same = readFileSync(MODEL_PATH, "utf8") === text;
    console.log(same ? "model.generated.json is the training's output" : "model.generated.json differs from the training's output: run npm run qualifier:train");
    process.exit(same ? 0 : 1);
  }
  printCrossValidation(m, items, examples, cv, model.temperature, m.TRAIN_OPTIONS, m.STORE_THRESHOLD);
  writeFileSync(MODEL_PATH, text);
  const features = Object.keys(model.weights).length;
  console.log(`Trained on all ${items.length} conversations of A–D (options ${JSON.stringify(m.TRAIN_OPTIONS)}), temperature ${model.temperature}:`);
  console.log(`${features} features stored, ${(text.length / 1024).toFixed(0)} KB → src/qualifier/model.generated.json`);
}

await main();
