import type { DrizzleD1Database } from "drizzle-orm/d1";
import type * as schema from "./storage/schema";

/** Secrets are not in wrangler.toml, so `wrangler types` cannot see them. */
export interface Secrets {
  /** HS256 key for bearer tokens. */
  JWT_SECRET: string;
  /** HMAC key for the signed media URLs handed to the transcoder. */
  SIGNING_SECRET: string;
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
