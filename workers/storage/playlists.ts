import { and, asc, desc, eq, gt, inArray, lt, ne, or, type SQL, sql } from "drizzle-orm";
import { generateNKeysBetween } from "fractional-indexing";
import type { Database } from "../env";
import { channels, type Playlist, playlistItems, playlists, users, videos } from "./schema";
import { shown, summaryColumns } from "./videos";

/** Every query on `playlists` and `playlist_items`. Counts are kept by the triggers of migration 0010. */

const ownerColumns = { id: users.id, username: users.username, channelId: channels.id };

/** A playlist with its owner (and the owner's channel). */
export async function findPlaylist(db: Database, playlistId: string) {
  return db
    .select({ playlist: playlists, owner: ownerColumns })
    .from(playlists)
    .innerJoin(users, eq(users.id, playlists.ownerId))
    .innerJoin(channels, eq(channels.ownerId, playlists.ownerId))
    .where(eq(playlists.id, playlistId))
    .get();
}
export type PlaylistRow = NonNullable<Awaited<ReturnType<typeof findPlaylist>>>;

/** The owner's Watch later list, made now if it does not exist yet (at most one: a partial unique index). */
export async function watchLaterOf(db: Database, ownerId: string, newId: string): Promise<PlaylistRow> {
  const find = () =>
    db
      .select({ playlist: playlists, owner: ownerColumns })
      .from(playlists)
      .innerJoin(users, eq(users.id, playlists.ownerId))
      .innerJoin(channels, eq(channels.ownerId, playlists.ownerId))
      .where(and(eq(playlists.ownerId, ownerId), eq(playlists.kind, "watch_later")))
      .get();
  const found = await find();
  if (found) return found;
  await db
    .insert(playlists)
    .values({ id: newId, ownerId, kind: "watch_later", title: "Watch later", visibility: "private" })
    .onConflictDoNothing();
  const made = await find();
  if (!made) throw new Error(`no Watch later list for ${ownerId}`);
  return made;
}

export async function insertPlaylist(db: Database, row: typeof playlists.$inferInsert) {
  await db.insert(playlists).values(row);
}

export type PlaylistEdit = Partial<Pick<Playlist, "title" | "description" | "visibility">>;

export async function updatePlaylist(db: Database, playlistId: string, edit: PlaylistEdit, now: Date) {
  await db
    .update(playlists)
    .set({ ...edit, updatedAt: now })
    .where(eq(playlists.id, playlistId));
}

/** Deletes a playlist; its items cascade. */
export async function deletePlaylist(db: Database, playlistId: string) {
  await db.delete(playlists).where(eq(playlists.id, playlistId));
}

/** What `viewer` sees of an item's video: every shown video, and their own in any state. */
const seenBy = (viewerId: string | undefined): SQL =>
  viewerId ? (or(shown, eq(videos.ownerId, viewerId)) as SQL) : shown;

/**
 * Per playlist among `playlistIds`, the items of `viewer`'s own videos that others do not see
 * (private, processing, blocked): what the viewer's counts add to the shown ones the playlist
 * rows keep. Playlists without such items are absent.
 */
export async function ownHiddenCounts(db: Database, playlistIds: readonly string[], viewerId: string) {
  const out = new Map<string, { items: number; durationMs: number }>();
  // D1 binds at most 100 parameters per statement.
  for (let i = 0; i < playlistIds.length; i += 90) {
    const rows = await db
      .select({
        playlistId: playlistItems.playlistId,
        items: sql<number>`count(*)`.mapWith(Number),
        durationMs: sql<number>`coalesce(sum(${videos.duration}), 0)`.mapWith(Number),
      })
      .from(playlistItems)
      .innerJoin(videos, eq(videos.id, playlistItems.videoId))
      .where(
        and(
          inArray(playlistItems.playlistId, playlistIds.slice(i, i + 90)),
          eq(videos.ownerId, viewerId),
          sql`NOT (${shown})`,
        ),
      )
      .groupBy(playlistItems.playlistId)
      .all();
    for (const row of rows) out.set(row.playlistId, { items: row.items, durationMs: row.durationMs });
  }
  return out;
}

const itemColumns = {
  item: { id: playlistItems.id, rank: playlistItems.rank, addedAt: playlistItems.addedAt },
  ...summaryColumns,
};

/**
 * A page of the items `viewer` sees, in the playlist's order, after the item ranked
 * `afterRank` (the cursor); `limit + 1` are read so the caller knows whether more follow.
 */
export async function itemsPage(
  db: Database,
  playlistId: string,
  viewerId: string | undefined,
  afterRank: string | null,
  limit: number,
) {
  const where = [eq(playlistItems.playlistId, playlistId), seenBy(viewerId)];
  if (afterRank !== null) where.push(gt(playlistItems.rank, afterRank));
  return db
    .select(itemColumns)
    .from(playlistItems)
    .innerJoin(videos, eq(videos.id, playlistItems.videoId))
    .innerJoin(channels, eq(channels.id, videos.channelId))
    .where(and(...where))
    .orderBy(asc(playlistItems.rank))
    .limit(limit + 1)
    .all();
}
export type ItemRow = Awaited<ReturnType<typeof itemsPage>>[number];

/** One item with its video's summary columns. */
export async function findItemRow(db: Database, itemId: string) {
  return db
    .select(itemColumns)
    .from(playlistItems)
    .innerJoin(videos, eq(videos.id, playlistItems.videoId))
    .innerJoin(channels, eq(channels.id, videos.channelId))
    .where(eq(playlistItems.id, itemId))
    .get();
}

/** How many items `viewer` sees before `rank`: an item's position is this plus one. */
export async function countSeenBefore(db: Database, playlistId: string, viewerId: string | undefined, rank: string) {
  const row = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(playlistItems)
    .innerJoin(videos, eq(videos.id, playlistItems.videoId))
    .where(and(eq(playlistItems.playlistId, playlistId), seenBy(viewerId), lt(playlistItems.rank, rank)))
    .get();
  return row?.n ?? 0;
}

/** The items `viewer` sees from `offset` on (a window of the watch page's list panel). */
export async function itemsFrom(
  db: Database,
  playlistId: string,
  viewerId: string | undefined,
  offset: number,
  limit: number,
) {
  return db
    .select(itemColumns)
    .from(playlistItems)
    .innerJoin(videos, eq(videos.id, playlistItems.videoId))
    .innerJoin(channels, eq(channels.id, videos.channelId))
    .where(and(eq(playlistItems.playlistId, playlistId), seenBy(viewerId)))
    .orderBy(asc(playlistItems.rank))
    .limit(limit)
    .offset(offset)
    .all();
}

/** The ids of every video `viewer` sees in the playlist, in order (shuffle picks among them). */
export async function seenVideoIds(db: Database, playlistId: string, viewerId: string | undefined) {
  const rows = await db
    .select({ videoId: playlistItems.videoId })
    .from(playlistItems)
    .innerJoin(videos, eq(videos.id, playlistItems.videoId))
    .where(and(eq(playlistItems.playlistId, playlistId), seenBy(viewerId)))
    .orderBy(asc(playlistItems.rank))
    .all();
  return rows.map((r) => r.videoId);
}

/**
 * The item `viewer` sees at `offset` in the order (0-based), leaving `exceptId` out: where a
 * move to a numbered position lands.
 */
export async function seenItemAt(db: Database, playlistId: string, viewerId: string, offset: number, exceptId: string) {
  return db
    .select({ id: playlistItems.id, rank: playlistItems.rank })
    .from(playlistItems)
    .innerJoin(videos, eq(videos.id, playlistItems.videoId))
    .where(and(eq(playlistItems.playlistId, playlistId), seenBy(viewerId), ne(playlistItems.id, exceptId)))
    .orderBy(asc(playlistItems.rank))
    .limit(1)
    .offset(offset)
    .get();
}

/** The item just before (`before`) or after `rank` that `viewer` sees (move up and down). */
export async function seenNeighbour(
  db: Database,
  playlistId: string,
  viewerId: string | undefined,
  rank: string,
  side: "before" | "after",
) {
  return db
    .select({ id: playlistItems.id, rank: playlistItems.rank, videoId: playlistItems.videoId })
    .from(playlistItems)
    .innerJoin(videos, eq(videos.id, playlistItems.videoId))
    .where(
      and(
        eq(playlistItems.playlistId, playlistId),
        seenBy(viewerId),
        side === "before" ? lt(playlistItems.rank, rank) : gt(playlistItems.rank, rank),
      ),
    )
    .orderBy(side === "before" ? desc(playlistItems.rank) : asc(playlistItems.rank))
    .limit(1)
    .get();
}

export async function findItem(db: Database, itemId: string) {
  return db.select().from(playlistItems).where(eq(playlistItems.id, itemId)).get();
}

export async function findItemOfVideo(db: Database, playlistId: string, videoId: string) {
  return db
    .select()
    .from(playlistItems)
    .where(and(eq(playlistItems.playlistId, playlistId), eq(playlistItems.videoId, videoId)))
    .get();
}

/**
 * The rank of the first item (of all, seen or not) after `rank` (null: the first of the
 * list), leaving `exceptId` out; undefined at the end. A new rank goes between the two.
 */
export async function rankAfter(
  db: Database,
  playlistId: string,
  rank: string | null,
  exceptId?: string,
): Promise<string | undefined> {
  const where = [eq(playlistItems.playlistId, playlistId)];
  if (rank !== null) where.push(gt(playlistItems.rank, rank));
  if (exceptId) where.push(ne(playlistItems.id, exceptId));
  const row = await db
    .select({ rank: playlistItems.rank })
    .from(playlistItems)
    .where(and(...where))
    .orderBy(asc(playlistItems.rank))
    .limit(1)
    .get();
  return row?.rank;
}

/** The rank of the last item, leaving `exceptId` out. */
export async function lastRank(db: Database, playlistId: string, exceptId?: string): Promise<string | undefined> {
  const where = [eq(playlistItems.playlistId, playlistId)];
  if (exceptId) where.push(ne(playlistItems.id, exceptId));
  const row = await db
    .select({ rank: playlistItems.rank })
    .from(playlistItems)
    .where(and(...where))
    .orderBy(desc(playlistItems.rank))
    .limit(1)
    .get();
  return row?.rank;
}

/**
 * Adds an item unless the playlist already holds `max` (the check and the insert are one
 * statement, so two adds cannot both take the last place) or holds the video, or another item
 * took the rank meanwhile. Answers whether the row went in; the caller finds out why not.
 */
export async function insertItem(
  db: Database,
  item: { id: string; playlistId: string; videoId: string; rank: string },
  max: number,
): Promise<boolean> {
  const rows = await db.all<{ id: string }>(sql`
    INSERT INTO ${playlistItems} (id, playlist_id, video_id, rank)
    SELECT ${item.id}, ${item.playlistId}, ${item.videoId}, ${item.rank}
    WHERE (SELECT size FROM ${playlists} WHERE id = ${item.playlistId}) < ${max}
    ON CONFLICT DO NOTHING
    RETURNING id`);
  return rows.length === 1;
}

export async function playlistSize(db: Database, playlistId: string): Promise<number> {
  const row = await db.select({ size: playlists.size }).from(playlists).where(eq(playlists.id, playlistId)).get();
  return row?.size ?? 0;
}

/** A move: the item's rank, the one row a move writes. False when another item holds that rank. */
export async function setItemRank(db: Database, itemId: string, rank: string): Promise<boolean> {
  const rows = await db.all<{ id: string }>(sql`
    UPDATE ${playlistItems} SET rank = ${rank} WHERE id = ${itemId}
      AND NOT EXISTS (SELECT 1 FROM ${playlistItems} o
        WHERE o.playlist_id = ${playlistItems.playlistId} AND o.rank = ${rank} AND o.id <> ${itemId})
    RETURNING id`);
  return rows.length === 1;
}

export async function deleteItem(db: Database, playlistId: string, itemId: string): Promise<boolean> {
  const rows = await db
    .delete(playlistItems)
    .where(and(eq(playlistItems.id, itemId), eq(playlistItems.playlistId, playlistId)))
    .returning({ id: playlistItems.id });
  return rows.length === 1;
}

/** Ranks per statement of a rebalance: one JSON parameter each, well under D1's statement limits. */
const REBALANCE_CHUNK = 1000;

/**
 * Gives every item of the playlist a short rank again, in the same order, ids unchanged. Two
 * phases in one batch (a transaction): every rank is first moved out of the way (`~` sorts
 * after every base-62 digit, and ids are unique), so the unique index on (playlist, rank)
 * never sees two rows with one rank.
 */
export async function rebalance(db: Database, playlistId: string) {
  const ids = (
    await db
      .select({ id: playlistItems.id })
      .from(playlistItems)
      .where(eq(playlistItems.playlistId, playlistId))
      .orderBy(asc(playlistItems.rank))
      .all()
  ).map((r) => r.id);
  if (!ids.length) return;
  const ranks = generateNKeysBetween(null, null, ids.length);
  // drizzle's batch takes query builders only; these are raw statements on the binding.
  const d1 = db.$client;
  const aside = d1
    .prepare("UPDATE playlist_items SET rank = '~' || id WHERE playlist_id = ? AND rank NOT LIKE '~%'")
    .bind(playlistId);
  const write = d1.prepare(
    `UPDATE playlist_items SET rank = (SELECT j.value ->> 'r' FROM json_each(?1) j WHERE j.value ->> 'i' = playlist_items.id)
     WHERE playlist_id = ?2 AND id IN (SELECT j.value ->> 'i' FROM json_each(?1) j)`,
  );
  const writes = [];
  for (let i = 0; i < ids.length; i += REBALANCE_CHUNK) {
    const pairs = ids.slice(i, i + REBALANCE_CHUNK).map((id, j) => ({ i: id, r: ranks[i + j] }));
    writes.push(write.bind(JSON.stringify(pairs), playlistId));
  }
  await d1.batch([aside, ...writes]);
}

const listColumns = { playlist: playlists, owner: ownerColumns };

/**
 * A user's playlists, Watch later first, then the most recently changed; with `videoId`, each
 * says which of its items holds that video (the watch page's Save menu).
 */
export async function ownerPlaylists(db: Database, ownerId: string, offset: number, limit: number, videoId?: string) {
  const rows = await db
    .select({
      ...listColumns,
      savedItemId: videoId
        ? sql<
            string | null
          >`(SELECT i.id FROM ${playlistItems} i WHERE i.playlist_id = ${playlists.id} AND i.video_id = ${videoId})`
        : sql<null>`NULL`,
    })
    .from(playlists)
    .innerJoin(users, eq(users.id, playlists.ownerId))
    .innerJoin(channels, eq(channels.ownerId, playlists.ownerId))
    .where(eq(playlists.ownerId, ownerId))
    .orderBy(sql`${playlists.kind} = 'watch_later' DESC`, desc(playlists.updatedAt), desc(playlists.id))
    .limit(limit)
    .offset(offset)
    .all();
  const total = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(playlists)
    .where(eq(playlists.ownerId, ownerId))
    .get();
  return { rows, total: total?.n ?? 0 };
}

/** A user's public playlists (a channel page), most recently changed first. */
export async function publicPlaylists(db: Database, ownerId: string, offset: number, limit: number) {
  const where = and(eq(playlists.ownerId, ownerId), eq(playlists.visibility, "public"));
  const [rows, total] = await Promise.all([
    db
      .select(listColumns)
      .from(playlists)
      .innerJoin(users, eq(users.id, playlists.ownerId))
      .innerJoin(channels, eq(channels.ownerId, playlists.ownerId))
      .where(where)
      .orderBy(desc(playlists.updatedAt), desc(playlists.id))
      .limit(limit)
      .offset(offset)
      .all(),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(playlists)
      .where(where)
      .get(),
  ]);
  return { rows, total: total?.n ?? 0 };
}
