import { and, count, desc, eq } from "drizzle-orm";
import type { Database } from "../env";
import { userBlocks, users } from "./schema";

/** Every query on `user_blocks`: who no longer sees whose comments. */

/** Blocks `blockedId` for `blockerId`; blocking twice keeps the first time. */
export async function insertBlock(db: Database, blockerId: string, blockedId: string, at: Date) {
  await db.insert(userBlocks).values({ blockerId, blockedId, createdAt: at }).onConflictDoNothing();
}

export async function deleteBlock(db: Database, blockerId: string, blockedId: string) {
  await db.delete(userBlocks).where(and(eq(userBlocks.blockerId, blockerId), eq(userBlocks.blockedId, blockedId)));
}

/** The ids of everyone the user blocked (one range of the primary key). */
export async function blockedIdsOf(db: Database, blockerId: string): Promise<string[]> {
  const rows = await db
    .select({ id: userBlocks.blockedId })
    .from(userBlocks)
    .where(eq(userBlocks.blockerId, blockerId))
    .all();
  return rows.map((r) => r.id);
}

/** The user's blocks, newest first, with each blocked user's name, and how many in all. */
export async function listBlocks(db: Database, blockerId: string, limit: number, offset: number) {
  const [total, rows] = await db.batch([
    db.select({ n: count() }).from(userBlocks).where(eq(userBlocks.blockerId, blockerId)),
    db
      .select({ id: users.id, username: users.username, blockedAt: userBlocks.createdAt })
      .from(userBlocks)
      .innerJoin(users, eq(users.id, userBlocks.blockedId))
      .where(eq(userBlocks.blockerId, blockerId))
      .orderBy(desc(userBlocks.createdAt), desc(userBlocks.blockedId))
      .limit(limit)
      .offset(offset),
  ]);
  return { total: total[0]?.n ?? 0, rows };
}
