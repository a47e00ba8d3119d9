// The Qualifier: classifies a conversation's recent messages — and so its contact — into one of
// the workspace's qualification kinds. Two implementations: the offline cue scorer (default,
// deterministic, no network) and Workers AI (when the optional AI binding exists), which falls
// back to the offline one on any failure and says so.

/** The six kinds every workspace starts with. */
export const DEFAULT_KINDS = ["hot", "warm", "cold", "customer", "not_a_fit", "spam"] as const;
export type DefaultKind = (typeof DEFAULT_KINDS)[number];

export interface QualifierMessage {
  authorKind: "contact" | "user" | "system";
  body: string;
}

export interface QualifierInput {
  /** Oldest first. Only the contact's messages carry evidence; reps' replies give context to the AI. */
  messages: QualifierMessage[];
  /** The workspace's kinds: the only answers allowed. */
  kinds: { key: string; label: string }[];
}

export type ClassifierName = "offline" | "workers_ai";

export interface Classification {
  /** Null when no kind reached the confidence floor: nothing is recorded. */
  kindKey: string | null;
  /** 0–1. */
  confidence: number;
  /** Matched cues (offline) or the model's one-line rationale (Workers AI). */
  reasons: string[];
  /** Which classifier decided. */
  classifier: ClassifierName;
  /** Set when Workers AI was asked but the offline classifier decided instead, and why. */
  fallback?: { from: ClassifierName; reason: string };
}

export interface Qualifier {
  readonly name: ClassifierName;
  classify(input: QualifierInput): Promise<Classification>;
}

/** Below this confidence a classification records nothing (both classifiers). */
export const CONFIDENCE_FLOOR = 0.4;

/** How many of the conversation's latest messages are read. */
export const RECENT_MESSAGES = 20;
