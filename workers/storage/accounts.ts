import { eq } from "drizzle-orm";
import type { Database } from "../env";
import { type Channel, channels, type User, users } from "./schema";

export async function findUserByEmail(db: Database, email: string): Promise<User | undefined> {
  return db.select().from(users).where(eq(users.email, email)).get();
}

export async function findUserByUsername(db: Database, username: string): Promise<User | undefined> {
  return db.select().from(users).where(eq(users.username, username)).get();
}

export async function findUserWithChannel(db: Database, userId: string) {
  return db
    .select({ user: users, channel: channels })
    .from(users)
    .innerJoin(channels, eq(channels.ownerId, users.id))
    .where(eq(users.id, userId))
    .get();
}

export async function findChannel(db: Database, channelId: string): Promise<Channel | undefined> {
  return db.select().from(channels).where(eq(channels.id, channelId)).get();
}

export async function findChannelByOwner(db: Database, ownerId: string): Promise<Channel | undefined> {
  return db.select().from(channels).where(eq(channels.ownerId, ownerId)).get();
}

/** The user and their channel in one batch: every user owns exactly one channel. */
export async function insertUserWithChannel(
  db: Database,
  user: typeof users.$inferInsert,
  channel: typeof channels.$inferInsert,
): Promise<void> {
  await db.batch([db.insert(users).values(user), db.insert(channels).values(channel)]);
}

export async function setHistoryPaused(db: Database, userId: string, paused: boolean) {
  await db.update(users).set({ historyPaused: paused }).where(eq(users.id, userId));
}
