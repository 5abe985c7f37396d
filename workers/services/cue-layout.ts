/**
 * Auto captions' layout: words with their times (from a transcriber) laid out as cues a
 * viewer can read. Pure; no I/O.
 *
 * - at most two lines of 42 characters (the common broadcast and streaming rule), the break
 *   where the two lines come out most even;
 * - each cue on screen 1 to 7 seconds: a cue closes before it would last longer than 7 s,
 *   and a short one stays up to a second when the next cue leaves it room (never
 *   overlapping it, never past the media's end);
 * - a pause of `pauseMs` or more between words ends a cue (captions do not hang over
 *   silence), and so does the end of a sentence once its cue has been up a second.
 */
export const CUE_LAYOUT = { maxLineChars: 42, maxLines: 2, minMs: 1000, maxMs: 7000, pauseMs: 1200 } as const;

/**
 * A laid-out cue, in the shape of caption-files' `Cue` (this module imports nothing, so the
 * transcoder's tests lay out what its engine hears with it too).
 */
export interface LaidCue {
  start: number;
  end: number;
  settings: string;
  /** The lines, WebVTT-escaped, joined by a line break. */
  payload: string;
  /** The words on one line: the transcript and the search index. */
  text: string;
}

const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A word and when it is said, in milliseconds. */
export interface TimedWord {
  text: string;
  start: number;
  end: number;
}

/** The lines `words` make, most evenly broken, or null when they do not fit two lines. */
export function breakLines(words: readonly string[], maxChars: number = CUE_LAYOUT.maxLineChars): string[] | null {
  const one = words.join(" ");
  if (one.length <= maxChars) return [one];
  let best: string[] | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let k = 1; k < words.length; k++) {
    const top = words.slice(0, k).join(" ");
    const bottom = words.slice(k).join(" ");
    if (top.length > maxChars || bottom.length > maxChars) continue;
    // Most even first; on a tie, the longer line below (a pyramid reads best).
    const score = Math.abs(top.length - bottom.length) * 2 + (top.length > bottom.length ? 1 : 0);
    if (score < bestScore) {
      bestScore = score;
      best = [top, bottom];
    }
  }
  return best;
}

/** Words cleaned: trimmed, non-empty, in order, a word longer than a line cut into line-sized pieces. */
function normalise(words: readonly TimedWord[], maxChars: number): TimedWord[] {
  const out: TimedWord[] = [];
  const sorted = words
    .map((w) => ({ text: w.text.replace(/\s+/g, " ").trim(), start: Math.max(0, w.start), end: w.end }))
    .filter((w) => w.text && Number.isFinite(w.start) && Number.isFinite(w.end))
    .sort((a, b) => a.start - b.start);
  for (const w of sorted) {
    const end = Math.max(w.start, w.end);
    if (w.text.length <= maxChars) {
      out.push({ text: w.text, start: w.start, end });
      continue;
    }
    const pieces = Math.ceil(w.text.length / maxChars);
    const step = (end - w.start) / pieces;
    for (let i = 0; i < pieces; i++) {
      out.push({
        text: w.text.slice(i * maxChars, (i + 1) * maxChars),
        start: Math.round(w.start + i * step),
        end: Math.round(w.start + (i + 1) * step),
      });
    }
  }
  return out;
}

export interface LayoutOptions {
  /** The media's length in ms: no cue ends after it. */
  endMs?: number | null;
}

/** Cues (sorted, not overlapping) for `words`. No words, no cues. */
export function layoutCues(words: readonly TimedWord[], options: LayoutOptions = {}): LaidCue[] {
  const { maxLineChars, minMs, maxMs, pauseMs } = CUE_LAYOUT;
  const groups: TimedWord[][] = [];
  let group: TimedWord[] = [];
  for (const word of normalise(words, maxLineChars)) {
    const first = group[0];
    const last = group[group.length - 1];
    if (first && last) {
      const paused = word.start - last.end >= pauseMs;
      const tooLong = word.end - first.start > maxMs;
      const sentenceDone = /[.?!]["')\]]?$/.test(last.text) && last.end - first.start >= minMs;
      const full = !breakLines(
        [...group, word].map((w) => w.text),
        maxLineChars,
      );
      if (paused || tooLong || sentenceDone || full) {
        groups.push(group);
        group = [];
      }
    }
    group.push(word);
  }
  if (group.length) groups.push(group);

  const limit = options.endMs ?? Number.POSITIVE_INFINITY;
  const timed = groups.map((g) => {
    const start = (g[0] as TimedWord).start;
    const end = Math.min(start + maxMs, (g[g.length - 1] as TimedWord).end);
    return { words: g, start, end };
  });
  // A cue never starts before its first word is said (the timing is what viewers rely on);
  // a short one stays up longer instead, as far as the next cue and the media's end allow.
  for (const [i, cue] of timed.entries()) {
    const next = timed[i + 1];
    const ceiling = Math.min(next ? next.start : Number.POSITIVE_INFINITY, limit);
    if (cue.end - cue.start < minMs) cue.end = Math.max(cue.end, Math.min(cue.start + minMs, ceiling));
    if (cue.end <= cue.start) cue.end = cue.start + 1;
  }
  return timed.map((c) => {
    const lines = breakLines(
      c.words.map((w) => w.text),
      maxLineChars,
    ) ?? [c.words.map((w) => w.text).join(" ")];
    return {
      start: Math.round(c.start),
      end: Math.round(c.end),
      settings: "",
      payload: lines.map(escapeText).join("\n"),
      text: lines.join(" "),
    };
  });
}
