// What the learned offline model reads of a conversation: the contact's recent messages as a
// sparse feature vector. Shared by the Worker and the training script (scripts/qualifier-train.mjs),
// so the model is trained on exactly what it will see. Each feature occurrence carries a label, the
// words a person would recognise, so a decision can name what weighed most.
//   w:<word>     a word, or w:NOT_<word> inside a negation's reach (the cue scorer's scope rules)
//   b:<w1> <w2>  two neighbouring words in one clause
//   c:<gram>     3–5 letters inside a word ("<quo", "ote>"): they survive typos and inflections
//   cue:<kind>   the cue scorer's weight for that kind (the hand-written lexicon, as evidence)
//   q:?          the contact asked a question
import { CLAUSE_WORDS, NEGATION_REACH, NEGATORS, POST_NEGATION_REACH, POST_NEGATORS } from "./cues";
import { cueEvidence } from "./cue-scorer";
import { DEFAULT_KINDS, RECENT_MESSAGES } from "./qualifier";
import { BOUNDARY, normalize, NUMBER, tokenize } from "./text";

export interface Features {
  names: string[];
  values: number[];
  /** What each feature stands for, in words: the word, the pair, the cue phrases. */
  labels: string[];
}

/** How much each group of features weighs; each group's vector has unit length before this. */
export const GROUP_WEIGHTS = { word: 1, bigram: 0.6, chars: 0.75, cue: 0.05, question: 0.5 };
export type GroupWeights = typeof GROUP_WEIGHTS;
const CHAR_GRAMS = [3, 4, 5] as const;

const wordSet = (list: string) =>
  new Set(
    list
      .split(/[;\n]/)
      .map((w) => normalize(w).trim())
      .filter(Boolean),
  );
const negators = wordSet(NEGATORS);
const postNegators = wordSet(POST_NEGATORS);
const clauseWords = wordSet(CLAUSE_WORDS);

const READABLE: Record<string, string> = {
  [NUMBER]: "a number",
  __url__: "a link",
  __badurl__: "a suspicious link",
  __ordno__: "an order number",
  __ref__: "a reference number",
  __money__: "an amount of money",
  __bangs__: "!!",
  __email__: "an e-mail address",
  __eyeroll__: "an eye-roll emoji",
  __moneyemoji__: "a money emoji",
  __kiss__: "a kiss emoji",
};
const readable = (token: string) => READABLE[token] ?? token;
const isWord = (token: string) => /^\p{L}{2,}$/u.test(token);

/**
 * Which tokens a negation reaches: up to NEGATION_REACH words after a negator, or
 * POST_NEGATION_REACH words before a German or Russian one ("Demo brauchen wir nicht"), never
 * across a clause boundary or a "but".
 */
function negatedTokens(tokens: string[]): boolean[] {
  const negated = tokens.map(() => false);
  let until = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === BOUNDARY || clauseWords.has(t)) {
      until = -1;
      continue;
    }
    if (negators.has(t)) until = i + NEGATION_REACH;
    else if (i <= until) negated[i] = true;
    if (postNegators.has(t)) {
      for (let j = i - 1; j >= 0 && j >= i - POST_NEGATION_REACH; j--) {
        if (tokens[j] === BOUNDARY || clauseWords.has(tokens[j]!)) break;
        negated[j] = true;
      }
    }
  }
  return negated;
}

class Group {
  readonly values = new Map<string, number>();
  readonly labels = new Map<string, string>();
  add(name: string, label: string, value = 1) {
    this.values.set(name, (this.values.get(name) ?? 0) + value);
    if (!this.labels.has(name)) this.labels.set(name, label);
  }
  /** Counts dampened (1 + log) and scaled to unit length, then to the group's weight. */
  emit(weight: number, out: Features) {
    let norm = 0;
    const damped: number[] = [];
    for (const v of this.values.values()) {
      const d = 1 + Math.log(v);
      damped.push(d);
      norm += d * d;
    }
    const scale = norm > 0 ? weight / Math.sqrt(norm) : 0;
    let i = 0;
    for (const [name, label] of this.labels) {
      out.names.push(name);
      out.values.push(damped[i++]! * scale);
      out.labels.push(label);
    }
  }
}

/** The features of the contact's messages (oldest first). Pure: the same input, the same vector. */
export function extractFeatures(contactMessages: readonly string[], weights: GroupWeights = GROUP_WEIGHTS): Features {
  const recent = contactMessages.slice(-RECENT_MESSAGES);
  const words = new Group();
  const bigrams = new Group();
  const chars = new Group();
  for (const body of recent) {
    const tokens = tokenize(body);
    const negated = negatedTokens(tokens);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t === BOUNDARY) continue;
      const label = negated[i] ? `not ${readable(t)}` : readable(t);
      words.add(negated[i] ? `w:NOT_${t}` : `w:${t}`, label);
      const next = tokens[i + 1];
      if (next !== undefined && next !== BOUNDARY) bigrams.add(`b:${t} ${next}`, `${readable(t)} ${readable(next)}`);
      if (isWord(t)) {
        const padded = `<${t}>`;
        for (const n of CHAR_GRAMS) for (let s = 0; s + n <= padded.length; s++) chars.add(`c:${padded.slice(s, s + n)}`, label);
      }
    }
  }
  const out: Features = { names: [], values: [], labels: [] };
  words.emit(weights.word, out);
  bigrams.emit(weights.bigram, out);
  chars.emit(weights.chars, out);
  const cues = cueEvidence(recent);
  DEFAULT_KINDS.forEach((kind, k) => {
    const score = cues.scores[k]!;
    if (score <= 0) return;
    const phrases = [...new Set(cues.reasons[k])].slice(0, 3).map((p) => `"${p}"`);
    out.names.push(`cue:${kind}`);
    out.values.push(weights.cue * Math.log1p(score));
    out.labels.push(`cues ${phrases.join(", ")}`);
  });
  if (recent.some((body) => body.includes("?") || body.includes("¿"))) {
    out.names.push("q:?");
    out.values.push(weights.question);
    out.labels.push("a question");
  }
  return out;
}
