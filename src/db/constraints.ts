// Recognising constraint failures, so a unique index can arbitrate a race instead of a read.

function messagesOf(error: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = error; e instanceof Error && out.length < 5; e = e.cause) out.push(e.message);
  return out;
}

/**
 * True when `error` (or its cause, as drizzle wraps D1's) is a UNIQUE failure; with `columns`
 * (`"messages.workspace_id, messages.channel_key"`), only a failure on that index.
 */
export function isUniqueViolation(error: unknown, columns?: string): boolean {
  return messagesOf(error).some((m) => m.includes("UNIQUE constraint failed") && (!columns || m.includes(columns)));
}
