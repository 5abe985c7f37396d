import type { Bindings } from "../env";
import type { CounterDelta } from "./engagement";

export interface StatusUpdate {
  status: string;
  progress: number;
  playable: boolean;
  stage?: string;
}

/** What the platform asks of a video's room (workers/durable-objects/video-room.ts). */
export interface RoomRpc {
  bump(delta: CounterDelta): Promise<void>;
  publishStatus(status: StatusUpdate): Promise<void>;
}

/** The room of a video: one Durable Object per video, named by its id. */
export function roomOf(env: Bindings, videoId: string): RoomRpc {
  return env.VIDEO_ROOM.get(env.VIDEO_ROOM.idFromName(videoId)) as unknown as RoomRpc;
}
