// The offline model as the Worker holds it: a linear score per default kind over
// extractFeatures' sparse vector, turned into probabilities by a softmax. Its weights are
// model.generated.json, written by scripts/qualifier-train.mjs (training.ts).
import { DEFAULT_KINDS } from "./qualifier";
import type { Features } from "./features";

const K = DEFAULT_KINDS.length;

/** The model as the Worker stores it: per feature one weight per kind, ×WEIGHT_SCALE, rounded. */
export interface StoredModel {
  kinds: string[];
  scale: number;
  bias: number[];
  /** The scores are divided by this before the softmax: fitted so the probabilities are honest. */
  temperature: number;
  weights: Record<string, number[]>;
}

export const WEIGHT_SCALE = 1000;

export interface TrainedModel {
  index: Map<string, number>;
  /** Feature f, kind k at f * K + k. */
  weights: Float64Array;
  bias: Float64Array;
  temperature: number;
}

/** The model's score per kind (DEFAULT_KINDS order), already divided by its temperature. */
export function logits(model: TrainedModel, features: Features): Float64Array {
  const z = Float64Array.from(model.bias);
  for (let i = 0; i < features.names.length; i++) {
    const f = model.index.get(features.names[i]!);
    if (f === undefined) continue;
    const x = features.values[i]!;
    for (let k = 0; k < K; k++) z[k]! += x * model.weights[f * K + k]!;
  }
  if (model.temperature !== 1) for (let k = 0; k < K; k++) z[k]! /= model.temperature;
  return z;
}

export function softmax(z: Float64Array): Float64Array {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** A stored model read back: what the Worker classifies with. */
export function loadModel(stored: StoredModel): TrainedModel {
  const names = Object.keys(stored.weights);
  const weights = new Float64Array(names.length * K);
  names.forEach((name, f) => stored.weights[name]!.forEach((w, k) => (weights[f * K + k] = w / stored.scale)));
  return {
    index: new Map(names.map((name, f) => [name, f])),
    weights,
    bias: Float64Array.from(stored.bias, (b) => b / stored.scale),
    temperature: stored.temperature,
  };
}
