// Training of the offline model: multinomial logistic regression over extractFeatures' sparse
// vectors, by AdaGrad with an L2 penalty, in a fixed order drawn from a seeded generator, so the
// same examples and options always give the same weights. Run by scripts/qualifier-train.mjs (in
// Node) and by the test that checks the committed weights are its output; the Worker never runs it.
import { extractFeatures, type Features } from "./features";
import { loadModel, logits, softmax, type StoredModel, type TrainedModel, WEIGHT_SCALE } from "./model";
import { DEFAULT_KINDS } from "./qualifier";

const K = DEFAULT_KINDS.length;

export interface Example {
  features: Features;
  /** Index into DEFAULT_KINDS. */
  kind: number;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** A feature must occur in this many training conversations to get a weight. */
  minCount: number;
  seed: number;
}

export const TRAIN_OPTIONS: TrainOptions = { epochs: 30, learningRate: 0.3, l2: 3e-4, minCount: 3, seed: 14 };

/** Mulberry32: a small seeded generator, the same sequence everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function vocabulary(examples: readonly Example[], minCount: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of examples) for (const name of new Set(e.features.names)) counts.set(name, (counts.get(name) ?? 0) + 1);
  const kept = [...counts].filter(([, n]) => n >= minCount).map(([name]) => name);
  kept.sort();
  return new Map(kept.map((name, i) => [name, i]));
}

export function train(examples: readonly Example[], options: TrainOptions = TRAIN_OPTIONS): TrainedModel {
  const index = vocabulary(examples, options.minCount);
  const weights = new Float64Array(index.size * K);
  const squares = new Float64Array(index.size * K);
  const bias = new Float64Array(K);
  const biasSquares = new Float64Array(K);
  const model: TrainedModel = { index, weights, bias, temperature: 1 };
  const next = random(options.seed);
  const order = examples.map((_, i) => i);
  const rate = options.learningRate;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const n of order) {
      const example = examples[n]!;
      const p = softmax(logits(model, example.features));
      p[example.kind]! -= 1;
      for (let k = 0; k < K; k++) {
        biasSquares[k]! += p[k]! * p[k]!;
        bias[k]! -= (rate * p[k]!) / Math.sqrt(biasSquares[k]! + 1e-8);
      }
      const { names, values } = example.features;
      for (let i = 0; i < names.length; i++) {
        const f = index.get(names[i]!);
        if (f === undefined) continue;
        for (let k = 0; k < K; k++) {
          const at = f * K + k;
          const g = p[k]! * values[i]! + options.l2 * weights[at]!;
          squares[at]! += g * g;
          weights[at]! -= (rate * g) / Math.sqrt(squares[at]! + 1e-8);
        }
      }
    }
  }
  return model;
}

/** The trained model as stored: weights rounded, features whose every weight rounds below `threshold` left out. */
export function storedModel(model: TrainedModel, threshold: number, temperature = 1): StoredModel {
  const round = (w: number) => Math.round(w * WEIGHT_SCALE);
  const weights: Record<string, number[]> = {};
  for (const [name, f] of model.index) {
    const row = Array.from(model.weights.subarray(f * K, f * K + K), round);
    if (row.some((w) => Math.abs(w) >= threshold * WEIGHT_SCALE)) weights[name] = row;
  }
  return { kinds: [...DEFAULT_KINDS], scale: WEIGHT_SCALE, bias: Array.from(model.bias, round), temperature, weights };
}


/**
 * The temperature that makes held-out probabilities honest: the one (to 0.05) that minimises the
 * log-loss of cross-validated scores. A model trained to fit a small set is over-sure; dividing its
 * scores by this keeps "0.97" for what is right 97 times in 100.
 */
export function fitTemperature(heldOutLogits: readonly Float64Array[], gold: readonly number[]): number {
  let best = 1;
  let bestLoss = Infinity;
  for (let t = 0.5; t <= 10.0001; t += 0.05) {
    const temperature = Math.round(t * 100) / 100;
    let loss = 0;
    heldOutLogits.forEach((z, i) => (loss -= Math.log(softmax(z.map((v) => v / temperature))[gold[i]!]!)));
    if (loss < bestLoss) [best, bestLoss] = [temperature, loss];
  }
  return best;
}

/** A hand-written conversation of bench/qualifier/: its id ("en-hot-07"), label and messages. */
export interface LabelledConversation {
  id: string;
  kind: string;
  messages: string[];
}

/** The stored weights below this (in every kind) are dropped: they move no decision. */
export const STORE_THRESHOLD = 0.03;
export const FOLDS = 5;

/**
 * The scenario a conversation belongs to: its number within its language × kind cell ("07", "b2",
 * "d3"). The same number in other languages is often the same situation translated, so it is one
 * group: a translation of a held-out conversation is never trained on.
 */
export const scenarioOf = (id: string) => id.slice(id.lastIndexOf("-") + 1);

export interface CrossValidation {
  /** Per conversation, its scores from the model trained on the other folds. */
  heldOutLogits: Float64Array[];
  /** Per fold, its scenarios. */
  folds: string[][];
}

/** Grouped cross-validation: scenarios dealt round-robin (in sorted order) into FOLDS folds. */
export function crossValidate(
  conversations: readonly LabelledConversation[],
  examples: readonly Example[],
  options: TrainOptions = TRAIN_OPTIONS,
  threshold = STORE_THRESHOLD,
): CrossValidation {
  const scenarios = [...new Set(conversations.map((c) => scenarioOf(c.id)))].sort();
  const folds: string[][] = Array.from({ length: FOLDS }, () => []);
  scenarios.forEach((s, i) => folds[i % FOLDS]!.push(s));
  const heldOutLogits: Float64Array[] = new Array(conversations.length);
  for (const fold of folds) {
    const inFold = conversations.map((c) => fold.includes(scenarioOf(c.id)));
    // Scored as it would ship: pruned and rounded.
    const model = loadModel(storedModel(train(examples.filter((_, i) => !inFold[i]), options), threshold));
    examples.forEach((e, i) => {
      if (inFold[i]) heldOutLogits[i] = logits(model, e.features);
    });
  }
  return { heldOutLogits, folds };
}

export const kindIndexOf = (kind: string) => {
  const k = (DEFAULT_KINDS as readonly string[]).indexOf(kind);
  if (k < 0) throw new Error(`"${kind}" is not a default kind`);
  return k;
};

/**
 * The model the Worker ships, from the training conversations: cross-validated to fit the
 * temperature, then trained on them all. Deterministic.
 */
export function buildModel(conversations: readonly LabelledConversation[]): { model: StoredModel; examples: Example[]; cv: CrossValidation } {
  const examples = conversations.map((c) => ({ features: extractFeatures(c.messages), kind: kindIndexOf(c.kind) }));
  const cv = crossValidate(conversations, examples);
  const temperature = fitTemperature(
    cv.heldOutLogits,
    examples.map((e) => e.kind),
  );
  return { model: storedModel(train(examples), STORE_THRESHOLD, temperature), examples, cv };
}
