// Pure rules of a live room's frames (no I/O): which comments top view samples, and what one
// socket's frame holds. The hub and its relays use them; the tests call them directly.
import type { BatchFrame, RoomEvent, ServerMessage, SocketMode } from "./video-room-protocol";

/**
 * Marks the comments of one tick that top view shows to everyone: the owner's and
 * moderators' always, then others at random while the last second's budget lasts. `window`
 * holds the times of the comments top view showed in the last second (it is updated).
 */
export function sampleTop(
  events: RoomEvent[],
  window: number[],
  now: number,
  perSecond: number,
  random: () => number = Math.random,
): void {
  while (window.length && (window[0] ?? 0) <= now - 1000) window.shift();
  const comments = events.filter((e) => e.message.type === "comment_added");
  for (const e of comments) {
    if (e.priority) window.push(now);
  }
  const others = comments.filter((e) => !e.priority);
  let budget = Math.max(0, perSecond - window.length);
  // A partial Fisher-Yates shuffle: each of the others is equally likely to be shown.
  for (let i = 0; i < others.length && budget > 0; i++, budget--) {
    const j = i + Math.floor(random() * (others.length - i));
    [others[i], others[j]] = [others[j] as RoomEvent, others[i] as RoomEvent];
    (others[i] as RoomEvent).sampled = true;
    window.push(now);
  }
}

/** A socket's viewer and what they asked for: their mode, and whose comments they blocked. */
export interface Viewer {
  id?: string;
  mode: SocketMode;
  blocked?: ReadonlySet<string>;
}

/**
 * What one viewer gets of a tick: every event but comments by users they blocked, and in
 * top view only the sampled and always-shown comments (their own and replies to them too),
 * with the count left out.
 */
export function eventsFor(events: RoomEvent[], viewer: Viewer): { messages: ServerMessage[]; omitted: number } {
  const messages: ServerMessage[] = [];
  let omitted = 0;
  for (const e of events) {
    if (e.author && viewer.blocked?.has(e.author)) continue;
    if (viewer.mode.view === "top" && e.message.type === "comment_added") {
      const shown = e.priority || e.sampled || (viewer.id && (e.replyTo === viewer.id || e.author === viewer.id));
      if (!shown) {
        omitted++;
        continue;
      }
    }
    messages.push(e.message);
  }
  return { messages, omitted };
}

/** A batch frame of these messages (`seq_from`/`seq_to` when any carries a seq). */
export function batchFrame(messages: ServerMessage[], omitted?: number): BatchFrame {
  const seqs = messages.flatMap((m) => ("seq" in m ? [m.seq] : []));
  return {
    type: "batch",
    ...(seqs.length ? { seq_from: Math.min(...seqs), seq_to: Math.max(...seqs) } : {}),
    messages,
    ...(omitted !== undefined ? { omitted } : {}),
  };
}

/** Accepted comments per whole second, oldest first. */
export type RateLog = { second: number; count: number }[];

/** Counts one accepted comment at `now` (ms) and forgets seconds older than `keep`. */
export function countSecond(log: RateLog, now: number, keep: number): RateLog {
  const second = Math.floor(now / 1000);
  const last = log[log.length - 1];
  if (last?.second === second) last.count++;
  else log.push({ second, count: 1 });
  return log.filter((r) => r.second > second - keep - 1);
}

/**
 * Whether each of the last `seconds` whole seconds before `now` accepted at least `rate`
 * comments (automatic slow mode). A second with none breaks the run.
 */
export function heldAbove(log: RateLog, now: number, rate: number, seconds: number): boolean {
  const current = Math.floor(now / 1000);
  for (let s = current - seconds; s < current; s++) {
    if ((log.find((r) => r.second === s)?.count ?? 0) < rate) return false;
  }
  return true;
}
