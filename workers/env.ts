import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as schema from "./storage/schema";

/**
 * The optional secret, which `[secrets] required` in wrangler.toml cannot list. JWT_SECRET
 * (bearer tokens) and SIGNING_SECRET (media URLs, playback tokens) are required there and
 * so typed by `wrangler types`.
 */
export interface Secrets {
  /** With R2_S3_ENDPOINT and R2_ACCESS_KEY_ID: presigned part URLs. */
  R2_SECRET_ACCESS_KEY?: string;
}

declare global {
  namespace Cloudflare {
    // So that `env` from "cloudflare:workers" (tests, RPC classes) knows the secrets too.
    interface Env extends Secrets {}
  }
}

export type Bindings = Env & Secrets;

export type Database = DrizzleD1Database<typeof schema>;

export interface AuthUser {
  id: string;
  username: string;
}

/** The one Hono environment every sub-app and middleware shares. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    db: Database;
    /** Set by `optionalAuth` / `requireAuth` when a valid token came with the request. */
    user: AuthUser | undefined;
  };
}
