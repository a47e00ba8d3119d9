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
