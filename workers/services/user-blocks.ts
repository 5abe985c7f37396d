import { ROOM_MEMORY_MS } from "../durable-objects/user-history";
import type { AuthUser, Database } from "../env";
import { notFound, problem, validationFailed } from "../lib/errors";
import { log } from "../lib/log";
import { findUserWithChannel } from "../storage/accounts";
import type { RoomMemory } from "../storage/history";
import * as store from "../storage/user-blocks";

/**
 * Blocks between users (API.md "Trust and safety"): the blocker no longer sees the blocked
 * user's comments, in lists (filtered per viewer after the shared cache, services/comments.ts)
 * and in the live room (filtered per socket by the room); the blocked user may not comment
 * on the blocker's videos (403 `blocked`).
 */
export interface BlockDeps {
  db: Database;
  /** The rooms the blocker joined lately. */
  joins: RoomMemory;
  /** Tells a room the viewer's blocks changed, so that its sockets there filter from the next comment on. */
  blocksChanged(videoId: string, viewerId: string, blockedId: string, blocked: boolean): Promise<void>;
}

async function existingUser(db: Database, userId: string) {
  if (!(await findUserWithChannel(db, userId))) throw notFound("User");
}

/**
 * Tells every room the viewer joined lately, so that a socket open there skips the blocked
 * user's comments from now on. Awaited before answering: once the 204 is out, the block holds
 * live too. A room that cannot be reached is logged; its next join reads the blocks afresh.
 */
async function tellRooms(deps: BlockDeps, viewerId: string, blockedId: string, blocked: boolean, now: Date) {
  const rooms = await deps.joins.roomsOf(viewerId, new Date(now.getTime() - ROOM_MEMORY_MS));
  await Promise.all(
    rooms.map((videoId) =>
      deps
        .blocksChanged(videoId, viewerId, blockedId, blocked)
        .catch((err: unknown) =>
          log("warn", "room block update failed", { video_id: videoId, user_id: viewerId, error: String(err) }),
        ),
    ),
  );
}

/** Blocks a user; idempotent. Nobody blocks themselves (400); an unknown user is 404. */
export async function blockUser(deps: BlockDeps, blocker: AuthUser, userId: string, now = new Date()) {
  if (userId === blocker.id) throw validationFailed([{ name: "user_id", reason: "you cannot block yourself" }]);
  await existingUser(deps.db, userId);
  await store.insertBlock(deps.db, blocker.id, userId, now);
  await tellRooms(deps, blocker.id, userId, true, now);
}

/** Lifts a block; idempotent (no block is not an error), but the user must exist. */
export async function unblockUser(deps: BlockDeps, blocker: AuthUser, userId: string, now = new Date()) {
  await existingUser(deps.db, userId);
  await store.deleteBlock(deps.db, blocker.id, userId);
  await tellRooms(deps, blocker.id, userId, false, now);
}

/** The users the caller blocked, most recent first. */
export async function blocksOf(db: Database, userId: string, page: number, limit: number) {
  const { total, rows } = await store.listBlocks(db, userId, limit, (page - 1) * limit);
  return {
    items: rows.map((r) => ({ id: r.id, username: r.username, blocked_at: r.blockedAt.toISOString() })),
    page,
    limit,
    total,
  };
}

/** The ids of the users the viewer blocked (an empty set for anonymous viewers). */
export async function blockedBy(db: Database, viewerId: string | undefined): Promise<Set<string>> {
  return new Set(viewerId ? await store.blockedIdsOf(db, viewerId) : []);
}

/** A user the video's owner blocked may not comment on it (403 `blocked`). */
export const blockedByOwner = () =>
  problem("blocked", { detail: "The owner of this video blocked you: you cannot comment on it." });
