import type { Database } from "../env";
import { notFound, problem } from "../lib/errors";
import { newId } from "../lib/ids";
import { hashPassword, verifyPassword } from "../lib/password";
import { issueToken } from "../lib/tokens";
import * as store from "../storage/accounts";
import type { Channel, User } from "../storage/schema";
import { accountSuspended } from "./moderation";

export interface TokenConfig {
  secret: string;
  ttlSeconds: number;
}

export function meOf(user: User, channel: Channel) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    channel_id: channel.id,
    created_at: user.createdAt.toISOString(),
    history_paused: user.historyPaused,
    role: user.role,
  };
}

// A hash to compare against when the email is unknown, so that a login for a missing
// account takes as long as one with a wrong password (no account enumeration by timing).
let decoyHash: Promise<string> | undefined;

/** Creates a user and their channel; answers the session (seed: accounts own a channel). */
export async function register(
  db: Database,
  tokens: TokenConfig,
  input: { email: string; username: string; password: string },
) {
  const email = input.email.trim().toLowerCase();
  const username = input.username.trim();
  if (await store.findUserByEmail(db, email)) {
    throw problem("email_taken", { detail: "An account with this email exists." });
  }
  if (await store.findUserByUsername(db, username)) {
    throw problem("username_taken", { detail: "This username is taken." });
  }
  const user = { id: newId(), email, username, passwordHash: await hashPassword(input.password) };
  const channel = { id: newId(), ownerId: user.id, name: username };
  try {
    await store.insertUserWithChannel(db, user, channel);
  } catch (err) {
    // Two registrations raced past the checks above; the unique index decided.
    const message = String((err as Error)?.message ?? err);
    if (message.includes("users.email")) throw problem("email_taken", { detail: "An account with this email exists." });
    if (message.includes("users.username")) throw problem("username_taken", { detail: "This username is taken." });
    throw err;
  }
  return session(db, tokens, user.id);
}

export async function login(db: Database, tokens: TokenConfig, input: { email: string; password: string }) {
  const user = await store.findUserByEmail(db, input.email.trim().toLowerCase());
  decoyHash ??= hashPassword("decoy password for timing");
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash));
  if (!user || !ok) {
    throw problem("invalid_credentials", { detail: "The email or password is wrong." });
  }
  // Only once the password is right: a wrong one says nothing about the account.
  if (user.suspendedUntil && user.suspendedUntil.getTime() > Date.now()) throw accountSuspended(user.suspendedUntil);
  return session(db, tokens, user.id);
}

async function session(db: Database, tokens: TokenConfig, userId: string) {
  const user = await me(db, userId);
  const token = await issueToken({ id: user.id, username: user.username }, tokens.secret, tokens.ttlSeconds);
  return { user, token };
}

/** The signed-in user's own view of their account. */
export async function me(db: Database, userId: string) {
  const row = await store.findUserWithChannel(db, userId);
  // A valid token for a deleted account.
  if (!row) throw notFound("User");
  return meOf(row.user, row.channel);
}

/** A channel as the API shows it; both counts are kept exact by triggers (migration 0005). */
export function channelOut(found: Channel) {
  return {
    id: found.id,
    name: found.name,
    owner_id: found.ownerId,
    verified: found.verified,
    subscriber_count: found.subscriberCount,
    video_count: found.videoCount,
  };
}

export async function channel(db: Database, channelId: string) {
  const found = await store.findChannel(db, channelId);
  if (!found) throw notFound("Channel");
  return channelOut(found);
}
