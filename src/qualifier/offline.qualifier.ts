// The offline classifier: deterministic, inside the Worker, no network. A linear model learned
// from the hand-written conversations of bench/qualifier/ (splits A–D; scripts/qualifier-train.mjs)
// reads the contact's messages as words, negated words, word pairs, letter n-grams and the cue
// scorer's six kind scores (features.ts), and gives each default kind a probability. The most
// probable kind among the workspace's default kinds wins; a workspace's own kinds have no weights
// and are never chosen. Below CONFIDENCE_FLOOR nothing is chosen. The reasons are the words and
// cues that pushed the chosen kind above the others the most.
import { extractFeatures } from "./features";
import { loadModel, logits, type StoredModel } from "./model";
import stored from "./model.generated.json";
import {
  type Classification,
  CONFIDENCE_FLOOR,
  DEFAULT_KINDS,
  type DefaultKind,
  type Qualifier,
  type QualifierInput,
} from "./qualifier";

const K = DEFAULT_KINDS.length;
const MAX_REASONS = 5;
// Words of one or two letters ("a", "i", "we d") weigh in the sum but tell a reader nothing.

let model: ReturnType<typeof loadModel> | null = null;
const theModel = () => (model ??= loadModel(stored as StoredModel));

export interface OfflineResult {
  kindKey: DefaultKind | null;
  confidence: number;
  reasons: string[];
}

const NOTHING: OfflineResult = { kindKey: null, confidence: 0, reasons: [] };

/**
 * Classify the contact's messages (oldest first) among `allowedKinds`. Pure and synchronous: the
 * same input always gives the same answer.
 */
export function classifyOffline(contactMessages: readonly string[], allowedKinds: ReadonlySet<string>): OfflineResult {
  const allowed = DEFAULT_KINDS.flatMap((kind, k) => (allowedKinds.has(kind) ? [k] : []));
  const features = extractFeatures(contactMessages);
  if (allowed.length === 0 || features.names.length === 0) return NOTHING;
  const m = theModel();
  const z = logits(m, features);

  // Probabilities among the allowed kinds only.
  let top = allowed[0]!;
  for (const k of allowed) if (z[k]! > z[top]!) top = k;
  let sum = 0;
  for (const k of allowed) sum += Math.exp(z[k]! - z[top]!);
  const confidence = Math.round((1 / sum) * 100) / 100;

  // What each feature gave the winner over the allowed kinds' average, summed by what it stands for.
  const byLabel = new Map<string, number>();
  for (let i = 0; i < features.names.length; i++) {
    const f = m.index.get(features.names[i]!);
    if (f === undefined) continue;
    let mean = 0;
    for (const k of allowed) mean += m.weights[f * K + k]!;
    const gain = features.values[i]! * (m.weights[f * K + top]! - mean / allowed.length);
    const label = features.labels[i]!;
    byLabel.set(label, (byLabel.get(label) ?? 0) + gain);
  }
  const ranked = [...byLabel].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const telling = ranked.filter(([label, gain]) => gain > 0 && !/^(?:\S{1,2}(?:\s+|$))+$/u.test(label));
  const reasons = (telling.length > 0 ? telling : ranked).slice(0, MAX_REASONS).map(([label]) => label);
  return { kindKey: confidence >= CONFIDENCE_FLOOR ? DEFAULT_KINDS[top]! : null, confidence, reasons };
}

export const offlineQualifier: Qualifier = {
  name: "offline",
  async classify(input: QualifierInput): Promise<Classification> {
    const contactMessages = input.messages.filter((m) => m.authorKind === "contact").map((m) => m.body);
    const result = classifyOffline(contactMessages, new Set(input.kinds.map((k) => k.key)));
    return { ...result, classifier: "offline" };
  },
};
