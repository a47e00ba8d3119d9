// Which classifier runs: Workers AI when the optional AI binding exists (falling back to the
// offline one on any failure), else the offline classifier.
import type { Bindings } from "../env";
import { offlineQualifier } from "./offline.qualifier";
import type { Qualifier } from "./qualifier";
import { type AiRunner, DEFAULT_AI_MODEL, DEFAULT_AI_TIMEOUT_MS, workersAiQualifier } from "./workers-ai.qualifier";

export * from "./qualifier";
export { classifyByCues } from "./cue-scorer";
export { classifyOffline, offlineQualifier } from "./offline.qualifier";

/** A malformed qualifier setting: the message names it. */
export class QualifierSettingError extends Error {}

function timeoutOf(raw: string | undefined): number {
  if (raw === undefined || raw === "") return DEFAULT_AI_TIMEOUT_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100 || ms > 60_000) {
    throw new QualifierSettingError(`AI_QUALIFIER_TIMEOUT_MS: "${raw}" is not a whole number of milliseconds between 100 and 60000`);
  }
  return ms;
}

export function qualifierFor(env: Pick<Bindings, "AI" | "AI_QUALIFIER_MODEL" | "AI_QUALIFIER_TIMEOUT_MS">): Qualifier {
  if (!env.AI) return offlineQualifier;
  // The binding's typed overloads are narrower than the one call the classifier makes.
  const ai = env.AI as unknown as AiRunner;
  return workersAiQualifier(ai, {
    model: env.AI_QUALIFIER_MODEL?.trim() || DEFAULT_AI_MODEL,
    timeoutMs: timeoutOf(env.AI_QUALIFIER_TIMEOUT_MS),
    fallback: offlineQualifier,
  });
}
