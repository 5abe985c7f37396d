import { generateKeyBetween } from "fractional-indexing";
import type { AuthUser, Database } from "../env";
import { forbidden, notFound, problem, unauthorized, validationFailed } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  type AddItemBody,
  type MoveItemBody,
  type PlaylistBody,
  type PlaylistEditBody,
  type PlaylistItemOut,
  type PlaylistOut,
  WATCH_LATER,
} from "../schemas/playlists";
import * as store from "../storage/playlists";
import { PLAYLIST_MAX_ITEMS } from "../storage/schema";
import { channel } from "./accounts";
import { accessOf, assertVisible, toVideoSummary } from "./videos";

/**
 * A rank longer than this (items kept landing between the same two neighbours) makes the
 * playlist rebalance: every rank short again, in the same order, ids unchanged.
 */
export const RANK_MAX_LENGTH = 24;
/** A move or an add whose rank another item took meanwhile recomputes it this often. */
const RANK_TRIES = 3;

type Counts = { items: number; durationMs: number };
const NONE: Counts = { items: 0, durationMs: 0 };

function toPlaylist({ playlist, owner }: store.PlaylistRow, own: Counts = NONE): PlaylistOut {
  return {
    id: playlist.id,
    title: playlist.title,
    description: playlist.description,
    visibility: playlist.visibility,
    kind: playlist.kind,
    owner: { id: owner.id, username: owner.username, channel_id: owner.channelId },
    item_count: playlist.itemCount + own.items,
    // API.md: whole seconds.
    duration: Math.round((playlist.durationMs + own.durationMs) / 1000),
    created_at: playlist.createdAt.toISOString(),
    updated_at: playlist.updatedAt.toISOString(),
  };
}

/**
 * The rows as `viewer` sees them: the kept counts are of items everyone sees; a viewer's own
 * videos that others do not (private, processing, blocked) count for that viewer alone.
 */
async function asSeenBy(db: Database, rows: store.PlaylistRow[], viewer: AuthUser | undefined) {
  // Only playlists holding items that are not shown can differ.
  const differ = rows.filter((r) => r.playlist.size > r.playlist.itemCount).map((r) => r.playlist.id);
  const own = viewer && differ.length ? await store.ownHiddenCounts(db, differ, viewer.id) : new Map<string, Counts>();
  return rows.map((row) => toPlaylist(row, own.get(row.playlist.id)));
}

/** A playlist by id, or the caller's Watch later list (made on first use) by its alias. */
async function resolve(db: Database, playlistId: string, viewer: AuthUser | undefined) {
  if (playlistId !== WATCH_LATER) return store.findPlaylist(db, playlistId);
  if (!viewer) throw unauthorized("Sign in to use your Watch later list.");
  return store.watchLaterOf(db, viewer.id, newId());
}

/** A private playlist exists for its owner alone; public and unlisted ones for anyone with the id. */
async function readable(db: Database, playlistId: string, viewer: AuthUser | undefined) {
  const row = await resolve(db, playlistId, viewer);
  if (!row || (row.playlist.visibility === "private" && row.playlist.ownerId !== viewer?.id)) {
    throw notFound("Playlist");
  }
  return row;
}

/** A playlist the user may change: theirs. Someone else's is 403, or 404 when private (it is not there for them). */
async function owned(db: Database, playlistId: string, user: AuthUser) {
  const row = await readable(db, playlistId, user);
  if (row.playlist.ownerId !== user.id) throw forbidden("Only the playlist's owner may change it.");
  return row;
}

const watchLaterFixed = (detail: string) => problem("watch_later_fixed", { detail });

/** A playlist as the viewer sees it (API.md "Playlists"). */
export async function getPlaylist(db: Database, playlistId: string, viewer: AuthUser | undefined) {
  const row = await readable(db, playlistId, viewer);
  return (await asSeenBy(db, [row], viewer))[0] as PlaylistOut;
}

/** A new playlist, private unless the body says otherwise. */
export async function createPlaylist(db: Database, user: AuthUser, body: PlaylistBody, now = new Date()) {
  const id = newId();
  await store.insertPlaylist(db, {
    id,
    ownerId: user.id,
    title: body.title,
    description: body.description ?? "",
    visibility: body.visibility ?? "private",
    createdAt: now,
    updatedAt: now,
  });
  return getPlaylist(db, id, user);
}

/** Title, description, visibility. Watch later keeps its name and stays private (400 `watch_later_fixed`). */
export async function editPlaylist(
  db: Database,
  user: AuthUser,
  playlistId: string,
  edit: PlaylistEditBody,
  now = new Date(),
) {
  const row = await owned(db, playlistId, user);
  if (row.playlist.kind === "watch_later") {
    if (edit.visibility !== undefined && edit.visibility !== "private") {
      throw watchLaterFixed("Watch later is always private.");
    }
    if (edit.title !== undefined && edit.title !== row.playlist.title) {
      throw watchLaterFixed("Watch later cannot be renamed.");
    }
  }
  if (Object.keys(edit).length) await store.updatePlaylist(db, row.playlist.id, edit, now);
  return getPlaylist(db, row.playlist.id, user);
}

export async function deletePlaylist(db: Database, user: AuthUser, playlistId: string) {
  const row = await owned(db, playlistId, user);
  if (row.playlist.kind === "watch_later") throw watchLaterFixed("Watch later cannot be deleted.");
  await store.deletePlaylist(db, row.playlist.id);
}

// Items.

/** The cursor of a page: the last item's position and rank, opaque to clients. */
const encodeCursor = (position: number, rank: string) => btoa(`${position}:${rank}`).replace(/=+$/, "");

function decodeCursor(cursor: string): { position: number; rank: string } {
  const bad = () => validationFailed([{ name: "cursor", reason: "is not a cursor this list gave" }]);
  let text: string;
  try {
    text = atob(cursor);
  } catch {
    throw bad();
  }
  const match = /^(\d{1,5}):([0-9A-Za-z]{1,200})$/.exec(text);
  if (!match) throw bad();
  return { position: Number(match[1]), rank: match[2] as string };
}

const toItem = (row: store.ItemRow, position: number, origin: string): PlaylistItemOut => ({
  id: row.item.id,
  video: toVideoSummary(row, origin),
  position,
  added_at: row.item.addedAt.toISOString(),
});

/** A page of the items the viewer sees, in the playlist's order (keyset on the rank). */
export async function listItems(
  db: Database,
  playlistId: string,
  viewer: AuthUser | undefined,
  query: { cursor?: string; limit: number },
  origin: string,
) {
  const row = await readable(db, playlistId, viewer);
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = await store.itemsPage(db, row.playlist.id, viewer?.id, after?.rank ?? null, query.limit);
  const page = rows.slice(0, query.limit);
  const first = after?.position ?? 0;
  const items = page.map((r, i) => toItem(r, first + i + 1, origin));
  const last = page.at(-1);
  return {
    items,
    limit: query.limit,
    next_cursor: rows.length > query.limit && last ? encodeCursor(first + page.length, last.item.rank) : null,
  };
}

/** One item as its playlist's owner sees it. */
async function itemOut(db: Database, playlistId: string, itemId: string, ownerId: string, origin: string) {
  const row = await store.findItemRow(db, itemId);
  if (!row) throw notFound("Item");
  const position = (await store.countSeenBefore(db, playlistId, ownerId, row.item.rank)) + 1;
  return toItem(row, position, origin);
}

const badAfter = (reason: string) =>
  validationFailed([{ name: "after_item_id", reason }], "The item to place it after is not valid.");

/**
 * The ranks a new place sits between: right after `prevRank` (null: first) and before whatever
 * follows it, leaving `movingId` out.
 */
async function slot(db: Database, playlistId: string, prevRank: string | null, movingId?: string) {
  const next = await store.rankAfter(db, playlistId, prevRank, movingId);
  return { prev: prevRank, next: next ?? null };
}

/** Where `after_item_id` puts an item: absent, the end; null, first; an id, right after that item of this playlist. */
async function slotFor(db: Database, playlistId: string, afterItemId: string | null | undefined, movingId?: string) {
  if (afterItemId === undefined) {
    return { prev: (await store.lastRank(db, playlistId, movingId)) ?? null, next: null };
  }
  if (afterItemId === null) return slot(db, playlistId, null, movingId);
  if (afterItemId === movingId) throw badAfter("an item cannot be placed after itself");
  const ref = await store.findItem(db, afterItemId);
  if (!ref || ref.playlistId !== playlistId) throw badAfter("must be an item of this playlist");
  return slot(db, playlistId, ref.rank, movingId);
}

async function rebalanceIfLong(db: Database, playlistId: string, rank: string) {
  if (rank.length > RANK_MAX_LENGTH) await store.rebalance(db, playlistId);
}

/**
 * Adds a video (API.md): at the end, first, or right after an item. One the playlist holds is
 * 409 `already_in_playlist`; a 5,001st item is 400 `playlist_full`. The video must be one the
 * user may see; a video that later turns private stays, unseen by others, until it is shown again.
 */
export async function addItem(db: Database, user: AuthUser, playlistId: string, body: AddItemBody, origin: string) {
  const { playlist } = await owned(db, playlistId, user);
  assertVisible(await accessOf(db, body.video_id), user);
  for (let attempt = 1; ; attempt++) {
    const existing = await store.findItemOfVideo(db, playlist.id, body.video_id);
    if (existing) {
      throw problem("already_in_playlist", {
        detail: "This video is in the playlist already.",
        extra: { item_id: existing.id },
      });
    }
    if ((await store.playlistSize(db, playlist.id)) >= PLAYLIST_MAX_ITEMS) throw playlistFull();
    const { prev, next } = await slotFor(db, playlist.id, body.after_item_id);
    const rank = generateKeyBetween(prev, next);
    const id = newId();
    if (await store.insertItem(db, { id, playlistId: playlist.id, videoId: body.video_id, rank }, PLAYLIST_MAX_ITEMS)) {
      await rebalanceIfLong(db, playlist.id, rank);
      return itemOut(db, playlist.id, id, user.id, origin);
    }
    // Refused: the video went in, the last place went, or another add took the rank; the
    // checks above say which next time round.
    if (attempt >= RANK_TRIES) throw new Error(`could not place an item in playlist ${playlist.id}`);
  }
}

const playlistFull = () =>
  problem("playlist_full", {
    detail: `A playlist holds at most ${PLAYLIST_MAX_ITEMS.toLocaleString("en")} items.`,
    extra: { max_items: PLAYLIST_MAX_ITEMS },
  });

/**
 * Moves an item right after another (null: first) or to a numbered place in the order the
 * owner sees. Writes the moved item's rank alone: every other item keeps its id and rank.
 */
export async function moveItem(
  db: Database,
  user: AuthUser,
  playlistId: string,
  itemId: string,
  body: MoveItemBody,
  origin: string,
) {
  const { playlist } = await owned(db, playlistId, user);
  const item = await store.findItem(db, itemId);
  if (!item || item.playlistId !== playlist.id) throw notFound("Item");
  for (let attempt = 1; ; attempt++) {
    const { prev, next } =
      body.position !== undefined
        ? await slotAtPosition(db, playlist.id, user.id, item.id, body.position)
        : await slotFor(db, playlist.id, body.after_item_id, item.id);
    // Already there: nothing to write.
    if ((prev === null || item.rank > prev) && (next === null || item.rank < next)) break;
    const rank = generateKeyBetween(prev, next);
    if (await store.setItemRank(db, item.id, rank)) {
      await rebalanceIfLong(db, playlist.id, rank);
      break;
    }
    if (attempt >= RANK_TRIES) throw new Error(`could not move item ${item.id}`);
  }
  return itemOut(db, playlist.id, item.id, user.id, origin);
}

/** The slot that puts an item at `position` (1-based) of the order the owner sees; past the end is a 400. */
async function slotAtPosition(db: Database, playlistId: string, ownerId: string, itemId: string, position: number) {
  if (position === 1) return slot(db, playlistId, null, itemId);
  const ref = await store.seenItemAt(db, playlistId, ownerId, position - 2, itemId);
  if (!ref) {
    throw validationFailed([{ name: "position", reason: "is past the end of the playlist" }], "No such place.");
  }
  return slot(db, playlistId, ref.rank, itemId);
}

/**
 * Moves an item one place up or down in the order the owner sees (the playlist page's buttons,
 * which work without scripts). At either end it stays.
 */
export async function nudgeItem(
  db: Database,
  user: AuthUser,
  playlistId: string,
  itemId: string,
  direction: "up" | "down",
  origin: string,
) {
  const { playlist } = await owned(db, playlistId, user);
  const item = await store.findItem(db, itemId);
  if (!item || item.playlistId !== playlist.id) throw notFound("Item");
  const neighbour = await store.seenNeighbour(
    db,
    playlist.id,
    user.id,
    item.rank,
    direction === "up" ? "before" : "after",
  );
  if (!neighbour) return itemOut(db, playlist.id, item.id, user.id, origin);
  if (direction === "down") return moveItem(db, user, playlist.id, item.id, { after_item_id: neighbour.id }, origin);
  const before = await store.seenNeighbour(db, playlist.id, user.id, neighbour.rank, "before");
  return moveItem(db, user, playlist.id, item.id, { after_item_id: before?.id ?? null }, origin);
}

export async function removeItem(db: Database, user: AuthUser, playlistId: string, itemId: string) {
  const { playlist } = await owned(db, playlistId, user);
  if (!(await store.deleteItem(db, playlist.id, itemId))) throw notFound("Item");
}

// Lists of playlists.

/** The caller's playlists, Watch later first (made on first use); with `videoId`, where each holds it. */
export async function myPlaylists(
  db: Database,
  user: AuthUser,
  query: { page: number; limit: number; video_id?: string },
) {
  await store.watchLaterOf(db, user.id, newId());
  const { rows, total } = await store.ownerPlaylists(
    db,
    user.id,
    (query.page - 1) * query.limit,
    query.limit,
    query.video_id,
  );
  const seen = await asSeenBy(db, rows, user);
  return {
    items: seen.map((p, i) =>
      query.video_id === undefined ? p : { ...p, saved_item_id: rows[i]?.savedItemId ?? null },
    ),
    page: query.page,
    limit: query.limit,
    total,
  };
}

/** A channel's public playlists, most recently changed first. */
export async function channelPlaylists(
  db: Database,
  channelId: string,
  viewer: AuthUser | undefined,
  query: { page: number; limit: number },
) {
  const found = await channel(db, channelId);
  const { rows, total } = await store.publicPlaylists(db, found.owner_id, (query.page - 1) * query.limit, query.limit);
  return { items: await asSeenBy(db, rows, viewer), page: query.page, limit: query.limit, total };
}

// Playing a list (`/watch/{video_id}?list=`).

/** How many items the watch page's list panel shows around the one playing. */
const PANEL_ITEMS = 100;
const PANEL_BEFORE = 10;

/** A permutation of `ids` fixed by `seed` (mulberry32, Fisher-Yates): a shuffle that survives page loads. */
export function shuffled<T>(ids: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * What the watch page needs to play a list: the playlist, a window of its items around the
 * video playing, the video's place, and the video that comes next (the next item in order, or
 * in the order `shuffle` seeds); null at the end.
 */
export async function playContext(
  db: Database,
  playlistId: string,
  viewer: AuthUser | undefined,
  videoId: string,
  origin: string,
  shuffle?: number,
) {
  const row = await readable(db, playlistId, viewer);
  const playlist = (await asSeenBy(db, [row], viewer))[0] as PlaylistOut;
  const id = row.playlist.id;
  const current = await store.findItemOfVideo(db, id, videoId);
  const before = current ? await store.countSeenBefore(db, id, viewer?.id, current.rank) : 0;
  const offset = Math.max(0, before - PANEL_BEFORE);
  const window = await store.itemsFrom(db, id, viewer?.id, offset, PANEL_ITEMS);
  const items = window.map((r, i) => toItem(r, offset + i + 1, origin));
  const position = current && window.some((r) => r.item.id === current.id) ? before + 1 : null;
  let next: string | null;
  if (shuffle !== undefined) {
    const order = shuffled(await store.seenVideoIds(db, id, viewer?.id), shuffle);
    const at = order.indexOf(videoId);
    next = order[at + 1] ?? null;
  } else if (current) {
    next = (await store.seenNeighbour(db, id, viewer?.id, current.rank, "after"))?.videoId ?? null;
  } else {
    next = items[0]?.video.id ?? null;
  }
  return { playlist, items, position, next };
}

/** The first video of a list, in order or in the order `shuffle` seeds (Play all, Shuffle). */
export async function firstVideo(db: Database, playlistId: string, viewer: AuthUser | undefined, shuffle?: number) {
  const row = await readable(db, playlistId, viewer);
  const ids = await store.seenVideoIds(db, row.playlist.id, viewer?.id);
  return (shuffle === undefined ? ids : shuffled(ids, shuffle))[0] ?? null;
}
