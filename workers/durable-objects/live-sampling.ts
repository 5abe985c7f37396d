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
 * with the count of comments left out (so a client can tell them from a gap).
 */
export function eventsFor(events: RoomEvent[], viewer: Viewer): { messages: ServerMessage[]; omitted: number } {
  const messages: ServerMessage[] = [];
  let omitted = 0;
  for (const e of events) {
    if (e.author && viewer.blocked?.has(e.author)) {
      omitted++;
      continue;
    }
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

/** The seqs a tick covers: its first and last sequenced event, shown or left out. */
export function seqRange(events: RoomEvent[]): { from: number; to: number } | undefined {
  const seqs = events.flatMap((e) => ("seq" in e.message ? [e.message.seq] : []));
  return seqs.length ? { from: Math.min(...seqs), to: Math.max(...seqs) } : undefined;
}

/**
 * A batch frame: the messages, the tick's seq range (so that `seq_to - seq_from + 1` equals
 * the sequenced messages held plus `omitted`, and anything else missing is a gap), and the
 * comments left out when any were (top view always says, even 0).
 */
export function batchFrame(
  messages: ServerMessage[],
  range: { from: number; to: number } | undefined,
  omitted: number,
  top: boolean,
): BatchFrame {
  return {
    type: "batch",
    ...(range ? { seq_from: range.from, seq_to: range.to } : {}),
    messages,
    ...(top || omitted ? { omitted } : {}),
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
