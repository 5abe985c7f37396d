import { count, desc, eq } from "drizzle-orm";
import type { Database } from "../env";
import { notifications } from "./schema";

export async function listNotifications(db: Database, userId: string, page: number, limit: number) {
  const [rows, total] = await Promise.all([
    db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, userId))
      .orderBy(desc(notifications.createdAt))
      .limit(limit)
      .offset((page - 1) * limit)
      .all(),
    db.select({ n: count() }).from(notifications).where(eq(notifications.userId, userId)).get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** One notification per (type, video): a redelivered video-ready adds nothing. */
export async function insertNotification(db: Database, row: typeof notifications.$inferInsert) {
  await db.insert(notifications).values(row).onConflictDoNothing();
}
