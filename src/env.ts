// The one app type every router and middleware is typed against.
import type { Db } from "./db/client";
import type { UserRole } from "./db/schema";

export interface Caller {
  userId: number;
  workspaceId: number;
  role: UserRole;
  tokenId: number;
  defaultCountry: string;
  timeZone: string;
}

/** Bindings from wrangler.toml (src/worker-configuration.d.ts) plus the optional ones. */
export type Bindings = Env & {
  /** Workers AI: optional; the offline classifier runs without it. */
  AI?: Ai;
  /** The Workers AI model the qualifier asks (default @cf/meta/llama-3.1-8b-instruct-fast). */
  AI_QUALIFIER_MODEL?: string;
  /** How long the qualifier waits for Workers AI before falling back to offline (ms, default 8000). */
  AI_QUALIFIER_TIMEOUT_MS?: string;
};

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    db: Db;
    requestId: string;
    caller: Caller;
    /** `user:<id>` or `admin`: who an Idempotency-Key belongs to. */
    idempotencyScope: string;
  };
};
