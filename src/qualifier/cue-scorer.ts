// The cue scorer: the hand-written half of the offline classifier. Each contact message is
// tokenised (text.ts) and scanned left to right for the longest cue (cues.ts) at each word; a
// cue's weight goes to its kind. Buying and interest cues that a negation reaches ("not
// interested in a *demo*", "keine *Demo*", "демо нам *не* нужно") count as a little coldness
// instead; a rolled eye or a laugh in the message mutes them (sarcasm). The kind with the most
// weight wins, among the workspace's kinds that have cues; its confidence is its share against
// the runner-up and a constant, and below CONFIDENCE_FLOOR nothing is chosen. The learned model
// (offline.qualifier.ts) reads these per-kind scores as six of its features.
import {
  CLAUSE_WORDS,
  CUE_LANGUAGES,
  CUES,
  MARKER_CUES,
  NEGATION_REACH,
  NEGATORS,
  NEUTRAL_PHRASES,
  POST_NEGATION_REACH,
  POST_NEGATORS,
} from "./cues";
import { CONFIDENCE_FLOOR, DEFAULT_KINDS, type DefaultKind, RECENT_MESSAGES } from "./qualifier";
import { BOUNDARY, EYEROLL, normalize, NUMBER, tokenize } from "./text";

const KIND_COUNT = DEFAULT_KINDS.length;
const HOT = DEFAULT_KINDS.indexOf("hot");
const WARM = DEFAULT_KINDS.indexOf("warm");
const COLD = DEFAULT_KINDS.indexOf("cold");

/** What a negated buying or interest cue still says: a little coldness. */
const NEGATED_TO_COLD = 0.4;
/** How much of a buying or interest cue survives a 🙄 or 😂 in the same message. */
const SARCASM_DAMPING = 0.3;
/** The latest contact message weighs a little more: people change their minds. */
const LAST_MESSAGE_WEIGHT = 1.25;
/**
 * A contact who asks a question nothing else explains is, in a sales inbox, most often a prospect
 * asking about the product: a little warmth, once per conversation.
 */
const QUESTION_WARMTH = 1;
/** Confidence = top / (top + runner-up + this): one weak cue alone stays unsure. */
const CONFIDENCE_PRIOR = 1;

type Matcher = { exact: string } | { prefix: string };

interface Cue {
  text: string;
  tokens: Matcher[];
  /** Weight per kind (DEFAULT_KINDS order); all zero for a neutral phrase. */
  weights: Float64Array;
  neutral: boolean;
  /** The phrase itself says "not" (e.g. "not interested"): what follows is negated too. */
  opensNegation: boolean;
}

interface CueIndex {
  byWord: Map<string, Cue[]>;
  /** Cues whose first word is a stem, by the stem's first three letters. */
  byStem: Map<string, Cue[]>;
  /** A cue's first word with one letter left out → the word: "diference" finds "difference". */
  missingLetter: Map<string, string>;
  negators: Set<string>;
  postNegators: Set<string>;
  clauseWords: Set<string>;
}

const entries = (list: string) =>
  list
    .split(/[;\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean);

const words = (list: string) => new Set(entries(list).map((entry) => normalize(entry).trim()));

function parsePhrase(phrase: string): Matcher[] {
  const out: Matcher[] = [];
  for (const part of phrase.trim().split(/\s+/)) {
    if (part === "#") out.push({ exact: NUMBER });
    else if (/^__\w+__$/.test(part)) out.push({ exact: part });
    else if (part.endsWith("*")) out.push({ prefix: normalize(part.slice(0, -1)).trim() });
    else for (const token of tokenize(part)) if (token !== BOUNDARY) out.push({ exact: token });
  }
  return out;
}

const matcherKey = (m: Matcher) => ("exact" in m ? m.exact : `${m.prefix}*`);

function buildIndex(): CueIndex {
  const negators = words(NEGATORS);
  const cues = new Map<string, Cue>();
  const add = (entry: string, kind: number | null) => {
    const at = entry.lastIndexOf("=");
    const phrase = kind !== null && at > 0 ? entry.slice(0, at) : entry;
    const weight = kind !== null && at > 0 ? Number(entry.slice(at + 1)) : 1;
    if (!Number.isFinite(weight)) throw new Error(`cue "${entry}": the weight is not a number`);
    const tokens = parsePhrase(phrase);
    if (tokens.length === 0) return;
    const key = tokens.map(matcherKey).join(" ");
    let cue = cues.get(key);
    if (!cue) {
      cue = {
        text: key,
        tokens,
        weights: new Float64Array(KIND_COUNT),
        neutral: kind === null,
        opensNegation: tokens.some((m) => "exact" in m && negators.has(m.exact)),
      };
      cues.set(key, cue);
    }
    // The same phrase in two languages' lists of one kind counts once, at its highest weight.
    if (kind !== null) cue.weights[kind] = Math.max(cue.weights[kind]!, weight);
  };
  DEFAULT_KINDS.forEach((kind, k) => {
    for (const language of CUE_LANGUAGES) for (const entry of entries(CUES[kind][language])) add(entry, k);
    for (const entry of entries(MARKER_CUES[kind] ?? "")) add(entry, k);
  });
  for (const entry of entries(NEUTRAL_PHRASES)) add(entry, null);

  const byWord = new Map<string, Cue[]>();
  const byStem = new Map<string, Cue[]>();
  for (const cue of cues.values()) {
    const first = cue.tokens[0]!;
    if ("exact" in first) push(byWord, first.exact, cue);
    else {
      if (first.prefix.length < 3) throw new Error(`cue "${cue.text}": a stem needs three letters`);
      push(byStem, first.prefix.slice(0, 3), cue);
    }
  }
  // Longest phrase first: "not interested" before "not", "dar de baja a un usuario" before "baja".
  for (const list of [...byWord.values(), ...byStem.values()]) list.sort((a, b) => b.tokens.length - a.tokens.length);
  const missingLetter = new Map<string, string>();
  for (const word of byWord.keys()) {
    if (word.length < TYPO_MIN_LENGTH - 1 || word.startsWith("__")) continue;
    for (const variant of deletions(word)) if (!missingLetter.has(variant)) missingLetter.set(variant, word);
  }
  return { byWord, byStem, missingLetter, negators, postNegators: words(POST_NEGATORS), clauseWords: words(CLAUSE_WORDS) };
}

/** Words this long or longer may carry one typo: a letter missing or one too many. */
const TYPO_MIN_LENGTH = 5;

const VOWELS = new Set("aeiouyаеиоуыэюя");

/**
 * The word with one letter left out — only letters people really drop or double when typing
 * fast: a vowel, or one of a double letter ("diference", "intrested", "abonement"). Dropping any
 * consonant would read "contato" (contact) as "contrato" (contract).
 */
function deletions(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) {
    const letter = word[i]!;
    if (letter === word[i - 1]) continue;
    if (VOWELS.has(letter) || letter === word[i + 1]) out.push(word.slice(0, i) + word.slice(i + 1));
  }
  return out;
}

/** The cue word a misspelt token stands for (one letter missing or added), or null. */
function correction(idx: CueIndex, token: string): string | null {
  if (token.length < TYPO_MIN_LENGTH || !/^\p{L}+$/u.test(token)) return null;
  const missing = idx.missingLetter.get(token);
  if (missing) return missing;
  for (const variant of deletions(token)) if (idx.byWord.has(variant)) return variant;
  return null;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

let index: CueIndex | null = null;
const cueIndex = () => (index ??= buildIndex());

function matches(m: Matcher, token: string): boolean {
  return "exact" in m ? m.exact === token : token.startsWith(m.prefix);
}

function longestCue(idx: CueIndex, tokens: string[], at: number): Cue | null {
  const found = longestCueFor(idx, tokens, at, tokens[at]!);
  if (found || idx.byWord.has(tokens[at]!)) return found;
  const corrected = correction(idx, tokens[at]!);
  return corrected ? longestCueFor(idx, tokens, at, corrected) : null;
}

/** The longest cue at `at`, reading the word there as `token`. */
function longestCueFor(idx: CueIndex, tokens: string[], at: number, token: string): Cue | null {
  let best: Cue | null = null;
  for (const list of [idx.byWord.get(token), token.length >= 3 ? idx.byStem.get(token.slice(0, 3)) : undefined]) {
    if (!list) continue;
    for (const cue of list) {
      if (best && cue.tokens.length <= best.tokens.length) break;
      if (at + cue.tokens.length > tokens.length) continue;
      let ok = true;
      for (let j = 0; j < cue.tokens.length && ok; j++) ok = matches(cue.tokens[j]!, j === 0 ? token : tokens[at + j]!);
      if (ok) {
        best = cue;
        break;
      }
    }
  }
  return best;
}

/** A German or Russian negation just after the cue, in the same clause ("Demo brauchen wir nicht"). */
function negatedAfter(idx: CueIndex, tokens: string[], end: number): boolean {
  for (let j = end; j < tokens.length && j < end + POST_NEGATION_REACH; j++) {
    const token = tokens[j]!;
    if (token === BOUNDARY || idx.clauseWords.has(token)) return false;
    if (idx.postNegators.has(token)) return true;
  }
  return false;
}

interface Evidence {
  scores: Float64Array;
  reasons: string[][];
}

function scoreMessage(idx: CueIndex, body: string, weight: number, evidence: Evidence) {
  const tokens = tokenize(body);
  const sarcastic = tokens.includes(EYEROLL);
  let negatedUntil = -1;
  for (let i = 0; i < tokens.length; ) {
    const token = tokens[i]!;
    if (token === BOUNDARY) {
      negatedUntil = -1;
      i++;
      continue;
    }
    const cue = longestCue(idx, tokens, i);
    if (!cue) {
      if (idx.clauseWords.has(token)) negatedUntil = -1;
      else if (idx.negators.has(token)) negatedUntil = i + NEGATION_REACH;
      i++;
      continue;
    }
    const end = i + cue.tokens.length;
    if (!cue.neutral) {
      const negated = i <= negatedUntil || negatedAfter(idx, tokens, end);
      for (let k = 0; k < KIND_COUNT; k++) {
        const w = cue.weights[k]!;
        if (w === 0) continue;
        if (k === HOT || k === WARM) {
          if (negated) {
            evidence.scores[COLD]! += w * NEGATED_TO_COLD * weight;
            evidence.reasons[COLD]!.push(`not "${cue.text}"`);
            continue;
          }
          evidence.scores[k]! += w * weight * (sarcastic ? SARCASM_DAMPING : 1);
        } else {
          evidence.scores[k]! += w * weight;
        }
        evidence.reasons[k]!.push(cue.text);
      }
      if (cue.opensNegation && !(cue.weights[HOT]! > 0 || cue.weights[WARM]! > 0)) negatedUntil = end - 1 + NEGATION_REACH;
    }
    i = end;
  }
}

export interface CueEvidence {
  /** Weight per kind, DEFAULT_KINDS order. */
  scores: Float64Array;
  /** The cues that gave each kind its weight, in the order they were read. */
  reasons: string[][];
}

/** The cue lists' weight per default kind for the contact's messages (oldest first), with the cues that matched. */
export function cueEvidence(contactMessages: readonly string[]): CueEvidence {
  const idx = cueIndex();
  const evidence: Evidence = { scores: new Float64Array(KIND_COUNT), reasons: DEFAULT_KINDS.map(() => []) };
  const recent = contactMessages.slice(-RECENT_MESSAGES);
  recent.forEach((body, i) => scoreMessage(idx, body, i === recent.length - 1 ? LAST_MESSAGE_WEIGHT : 1, evidence));
  if (recent.some((body) => body.includes("?") || body.includes("¿"))) {
    evidence.scores[WARM]! += QUESTION_WARMTH;
    evidence.reasons[WARM]!.push("a question");
  }
  return evidence;
}

export interface CueResult {
  kindKey: DefaultKind | null;
  confidence: number;
  reasons: string[];
}

/**
 * The cue scorer alone (the offline classifier before the learned model): the kind with the most
 * weight among `allowedKinds`. Kept for the benchmark's comparison; the model reads its scores.
 */
export function classifyByCues(contactMessages: readonly string[], allowedKinds: ReadonlySet<string>): CueResult {
  const evidence = cueEvidence(contactMessages);
  let top = -1;
  let second = 0;
  for (let k = 0; k < KIND_COUNT; k++) {
    if (!allowedKinds.has(DEFAULT_KINDS[k]!)) continue;
    const s = evidence.scores[k]!;
    if (top < 0 || s > evidence.scores[top]!) {
      if (top >= 0) second = Math.max(second, evidence.scores[top]!);
      top = k;
    } else second = Math.max(second, s);
  }
  if (top < 0 || evidence.scores[top]! <= 0) return { kindKey: null, confidence: 0, reasons: [] };
  const best = evidence.scores[top]!;
  const confidence = Math.round((best / (best + second + CONFIDENCE_PRIOR)) * 100) / 100;
  const reasons = [...new Set(evidence.reasons[top])].slice(0, 8);
  return { kindKey: confidence >= CONFIDENCE_FLOOR ? DEFAULT_KINDS[top]! : null, confidence, reasons };
}
