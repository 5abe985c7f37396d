// Processing status reaches a page two ways: live from the video's room, and from a slow
// status poll that covers a socket that cannot connect. A poll answer can arrive after
// newer live messages (it was read before them), so what a page shows only moves forward:
// API.md's progress never goes down, and a playable or finished video stays so.

export interface ProcessingStatus {
  status: string;
  progress: number;
  playable: boolean;
}

/** How far along each status is; a later answer never takes the page back to an earlier one. */
const STAGE: Record<string, number> = { uploading: 0, processing: 1, ready: 2, failed: 2 };
const stageOf = (status: string) => STAGE[status] ?? 1;

/**
 * Wraps `show` so that it is called with the furthest state seen so far (from `start`, the
 * state the page was rendered with, if any), whichever way and in whatever order updates come.
 */
export function forwardOnly(
  show: (state: ProcessingStatus) => void,
  start?: ProcessingStatus,
): (update: ProcessingStatus) => void {
  let furthest = start;
  return (update) => {
    const before = furthest;
    furthest = before
      ? {
          status: stageOf(update.status) >= stageOf(before.status) ? update.status : before.status,
          progress: Math.max(before.progress, update.progress),
          playable: before.playable || update.playable,
        }
      : { status: update.status, progress: update.progress, playable: update.playable };
    show(furthest);
  };
}
