// A short-lived, per-isolate memory of resolved API tokens, so back-to-back requests with one
// token skip the auth query. Revoking a token forgets it here at once; another isolate may still
// accept it for at most TOKEN_CACHE_TTL_MS.
import type { Caller } from "../env";

export const TOKEN_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 1_000;

interface Entry {
  caller: Caller;
  lastUsedAt: number | null;
  expiresAt: number;
}

const entries = new Map<string, Entry>();

export function cachedToken(tokenHash: string, now: number): Entry | undefined {
  const entry = entries.get(tokenHash);
  if (entry && entry.expiresAt > now) return entry;
  if (entry) entries.delete(tokenHash);
  return undefined;
}

export function rememberToken(tokenHash: string, caller: Caller, lastUsedAt: number | null, now: number): void {
  if (entries.size >= MAX_ENTRIES) {
    // Maps iterate in insertion order: drop the oldest.
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(tokenHash, { caller, lastUsedAt, expiresAt: now + TOKEN_CACHE_TTL_MS });
}

export function forgetToken(tokenId: number): void {
  for (const [hash, entry] of entries) if (entry.caller.tokenId === tokenId) entries.delete(hash);
}
