// The Worker's secrets, checked where they are used. A missing or malformed one answers
// 500 `server_misconfigured` naming the setting (never a bare internal error); the same rules are
// checked by `npm run dev` (scripts/dev.mjs) before it starts.
import { AppError } from "./errors";

/** ADMIN_TOKEN: a long random string (at least this many printable characters, no spaces). */
export const ADMIN_TOKEN_MIN_LENGTH = 16;

export const misconfigured = (setting: string, problem: string): AppError =>
  new AppError("server_misconfigured", `the server's ${setting} ${problem}; the operator must set it (wrangler secret put ${setting})`, [
    { path: `env.${setting}`, message: problem },
  ]);

/** ENCRYPTION_KEY: 32 random bytes, base64. Answers the bytes. */
export function encryptionKeyBytes(value: string | undefined): Uint8Array {
  if (!value) throw misconfigured("ENCRYPTION_KEY", "is not set");
  let binary: string;
  try {
    binary = atob(value.trim());
  } catch {
    throw misconfigured("ENCRYPTION_KEY", "is not base64");
  }
  if (binary.length !== 32) throw misconfigured("ENCRYPTION_KEY", `must be 32 bytes, base64-encoded (it is ${binary.length} bytes)`);
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** ADMIN_TOKEN, checked. */
export function adminToken(value: string | undefined): string {
  if (!value) throw misconfigured("ADMIN_TOKEN", "is not set");
  if (value.length < ADMIN_TOKEN_MIN_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    throw misconfigured("ADMIN_TOKEN", `must be at least ${ADMIN_TOKEN_MIN_LENGTH} printable characters without spaces`);
  }
  return value;
}
