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

/** True when `error` (or its cause) is a NOT NULL failure of `column` (`"messages.conversation_id"`). */
export function isNotNullViolation(error: unknown, column: string): boolean {
  return messagesOf(error).some((m) => m.includes(`NOT NULL constraint failed: ${column}`));
}

/**
 * The table and columns of a UNIQUE failure (`UNIQUE constraint failed: users.workspace_id,
 * users.email` → users, [email]; the tenant column left out), or null for any other error.
 */
export function uniqueViolation(error: unknown): { table: string; columns: string[] } | null {
  for (const message of messagesOf(error)) {
    const match = message.match(/UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/);
    if (!match) continue;
    const qualified = match[1]!.split(", ");
    const table = qualified[0]!.split(".")[0]!;
    const columns = qualified.map((c) => c.split(".").pop()!).filter((c) => c !== "workspace_id");
    return { table, columns };
  }
  return null;
}
