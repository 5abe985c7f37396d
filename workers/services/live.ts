import type { LiveSettings, ServerMessage } from "../durable-objects/video-room-protocol";
import type { AuthUser, Database } from "../env";
import { forbidden } from "../lib/errors";
import { accessOf, assertVisible } from "./videos";

/** What the live room's REST side needs: the catalogue, and each video's hub. */
export interface LiveDeps {
  db: Database;
  room(videoId: string): {
    settings(): Promise<LiveSettings>;
    updateSettings(change: Partial<LiveSettings>): Promise<LiveSettings>;
    eventsAfter(after: number, limit: number): Promise<{ items: ServerMessage[]; seq: number }>;
  };
}

/**
 * `GET /live/events?after=`: the room's events after a seq, oldest first, and its latest seq;
 * what a client that saw a gap, or reconnected, missed. The room keeps at least the last 500.
 */
export async function liveEvents(
  deps: LiveDeps,
  videoId: string,
  viewer: AuthUser | undefined,
  after: number,
  limit: number,
) {
  assertVisible(await accessOf(deps.db, videoId), viewer);
  return deps.room(videoId).eventsAfter(after, limit);
}

/** The room's live settings, as anyone who may see the video may read them. */
export async function liveSettings(deps: LiveDeps, videoId: string, viewer: AuthUser | undefined) {
  assertVisible(await accessOf(deps.db, videoId), viewer);
  return deps.room(videoId).settings();
}

/** The owner sets slow mode and who may comment; the room pushes `settings` to its watchers. */
export async function updateLiveSettings(
  deps: LiveDeps,
  videoId: string,
  user: AuthUser,
  change: Partial<LiveSettings>,
) {
  const access = await accessOf(deps.db, videoId);
  assertVisible(access, user);
  if (access.owner_id !== user.id) throw forbidden("Only the video's owner sets its live room.");
  return deps.room(videoId).updateSettings(change);
}
