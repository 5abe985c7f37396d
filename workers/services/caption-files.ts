import webvtt, { type CueNode, type ParsedCue } from "webvtt-parser";

/**
 * Caption files (API.md "Captions and transcripts"): an uploaded WebVTT or SRT file read,
 * checked and written back as the platform's WebVTT. Pure text work, no I/O.
 *
 * Both formats go through W3C's WebVTT parser (`webvtt-parser`): SRT is first rewritten
 * line for line into WebVTT (a header, `,` to `.` in timings), keeping a map back to the
 * SRT's own lines, so every refusal names the line of the file the owner sent. What can be
 * repaired is (cue order, unknown tags, bad cue settings); what cannot (a bad timestamp,
 * a missing header, an end before its start, binary bytes) is refused with the line.
 */

export const MAX_CAPTION_BYTES = 2 * 1024 * 1024;

/** One cue as the platform keeps it: times in ms, the WebVTT payload (allowed tags only) and its plain text. */
export interface Cue {
  start: number;
  end: number;
  /** Cue settings (` align:start line:0`), valid ones only; empty when none. */
  settings: string;
  /** The cue text as WebVTT: escaped, with only `b i u v c lang ruby rt` tags. */
  payload: string;
  /** What is said, without tags: the transcript and the search index. */
  text: string;
}

export type CaptionFormat = "vtt" | "srt";

/** A file that cannot be made into captions: the 1-based line of the file and why. */
export class CaptionFileError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = "CaptionFileError";
  }
}

const lineOfIndex = (text: string, index: number) => text.slice(0, index).split(/\r\n|\r|\n/).length;

/** UTF-8 text without control characters (tab and line breaks aside), else the line of the first bad byte. */
export function decodeCaptionText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder("utf-8").decode(bytes);
    const at = lenient.indexOf("\uFFFD");
    throw new CaptionFileError(
      lineOfIndex(lenient, Math.max(0, at)),
      "not UTF-8 text: a caption file is WebVTT or SRT text",
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(text);
  if (control) {
    throw new CaptionFileError(
      lineOfIndex(text, control.index),
      "binary data (a control character) is not caption text",
    );
  }
  return text.replace(/^\uFEFF/, "");
}

const SRT_TYPES = new Set(["application/x-subrip", "application/srt", "text/srt", "text/x-srt", "text/x-subrip"]);
/** Types that say nothing of the format: the content decides. */
const NEUTRAL_TYPES = new Set(["", "text/plain", "application/octet-stream"]);

/** The format a `Content-Type` names, or what the text looks like; undefined for a type that is no caption file. */
export function captionFormatOf(contentType: string | undefined, text: string): CaptionFormat | undefined {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "text/vtt") return "vtt";
  if (SRT_TYPES.has(type)) return "srt";
  if (!NEUTRAL_TYPES.has(type)) return undefined;
  return /^WEBVTT(?:[ \t]|$)/.test(text.split(/\r\n|\r|\n/, 1)[0] ?? "") ? "vtt" : "srt";
}

const SRT_TIME = /^(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{1,3})$/;
const VTT_TIME = /^(?:(\d+):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;

function srtMs(stamp: string): number | undefined {
  const m = SRT_TIME.exec(stamp);
  if (!m) return undefined;
  const [, h, min, s, ms] = m;
  return ((Number(h) * 60 + Number(min)) * 60 + Number(s)) * 1000 + Number((ms ?? "0").padEnd(3, "0"));
}

function vttMs(stamp: string): number | undefined {
  const m = VTT_TIME.exec(stamp);
  if (!m) return undefined;
  const [, h, min, s, ms] = m;
  return ((Number(h ?? 0) * 60 + Number(min)) * 60 + Number(s)) * 1000 + Number(ms);
}

/** `HH:MM:SS.mmm` (hours as many digits as needed, at least two). */
export function vttTimestamp(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  const h = Math.floor(whole / 3_600_000);
  const m = Math.floor((whole % 3_600_000) / 60_000);
  const s = Math.floor((whole % 60_000) / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(whole % 1000, 3)}`;
}

const quote = (line: string) => JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}…` : line);

/**
 * SRT rewritten as WebVTT, line for line: cue numbers dropped, timings with `.`, the SubRip
 * position suffix (`X1:...`) and ASS overrides (`{\an8}`) dropped, a `-->` in text escaped.
 * `srtLine[i]` is the SRT line of WebVTT line i+1 (0 for the added header).
 */
function srtToVtt(text: string): { vtt: string; srtLine: number[] } {
  const lines = text.split(/\r\n|\r|\n/);
  const out = ["WEBVTT", ""];
  const srtLine = [0, 0];
  const emit = (line: string, from: number) => {
    out.push(line);
    srtLine.push(from);
  };
  let i = 0;
  while (i < lines.length) {
    if ((lines[i] ?? "").trim() === "") {
      i++;
      continue;
    }
    if (/^\d+$/.test((lines[i] ?? "").trim())) {
      i++;
      if (i >= lines.length || !(lines[i] ?? "").includes("-->")) {
        throw new CaptionFileError(Math.min(i + 1, lines.length), "a cue number must be followed by its timing line");
      }
    } else if (!(lines[i] ?? "").includes("-->")) {
      throw new CaptionFileError(i + 1, `expected a cue number or a timing line, found ${quote(lines[i] ?? "")}`);
    }
    const timing = /^\s*(\S+)\s*-->\s*(\S+)/.exec(lines[i] ?? "");
    const [, from = "", to = ""] = timing ?? [];
    const start = srtMs(from);
    const end = srtMs(to);
    if (!timing || start === undefined) {
      throw new CaptionFileError(i + 1, `the start time ${quote(from)} is not an SRT timestamp (00:00:01,000)`);
    }
    if (end === undefined) {
      throw new CaptionFileError(i + 1, `the end time ${quote(to)} is not an SRT timestamp (00:00:01,000)`);
    }
    emit(`${vttTimestamp(start)} --> ${vttTimestamp(end)}`, i + 1);
    i++;
    while (i < lines.length && (lines[i] ?? "").trim() !== "") {
      const line = (lines[i] ?? "").replace(/\{\\[^}]*\}/g, "").replace(/-->/g, "--&gt;");
      emit(line, i + 1);
      i++;
    }
    emit("", 0);
  }
  return { vtt: out.join("\n"), srtLine };
}

/**
 * The parser's complaints that the platform repairs rather than refuses: cues out of order
 * (they are sorted), tags and escapes (only allowed tags are written back, text is
 * re-escaped), cue settings (only valid ones are kept), style blocks (dropped).
 */
const REPAIRABLE =
  /^(Start timestamp is not greater than or equal to start timestamp of previous cue|Incorrect (start|end) tag|Required end tag missing|Only <v> and <lang> can have an annotation|<v> (cannot be nested|requires an annotation)|Incorrect escape|Timestamp must be (between|greater than any previous)|Duplicate setting|No value for setting|Writing direction|Line (position|alignment)|Text position|Position alignment|Size|Alignment|Invalid setting|Style blocks cannot appear)/;

/** HTML's common named references too (the parser's defaults miss the `;` forms). */
const ENTITIES: Record<string, string> = {
  "&amp;": "&",
  "&lt;": "<",
  "&gt;": ">",
  "&lrm;": "\u200e",
  "&rlm;": "\u200f",
  "&nbsp;": "\u00a0",
  "&quot;": '"',
  "&apos;": "'",
};

const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Tags a caption keeps (API.md); `rt` only ever appears inside `ruby`. */
const ALLOWED_TAGS = new Set(["b", "i", "u", "v", "c", "lang", "ruby", "rt"]);
const CLASS_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** The cue's tree written back with allowed tags only; anything else keeps its text. */
function payloadOf(nodes: CueNode[]): string {
  let out = "";
  for (const node of nodes) {
    if (node.type === "text") out += escapeText(node.value);
    else if (node.type === "object") {
      const inner = payloadOf(node.children ?? []);
      if (!ALLOWED_TAGS.has(node.name)) {
        out += inner;
        continue;
      }
      const classes = (node.classes ?? []).filter((c) => CLASS_NAME.test(c)).map((c) => `.${c}`);
      const annotation =
        (node.name === "v" || node.name === "lang") && node.value ? ` ${escapeText(node.value.trim())}` : "";
      out += `<${node.name}${classes.join("")}${annotation}>${inner}</${node.name}>`;
    }
    // Inline (karaoke) timestamps are not kept.
  }
  return out;
}

function plainOf(nodes: CueNode[]): string {
  let out = "";
  for (const node of nodes) {
    if (node.type === "text") out += node.value;
    else if (node.type === "object" && node.name !== "rt") out += plainOf(node.children ?? []);
  }
  return out;
}

/** The valid settings the parser understood, written the way WebVTT spells them. */
function settingsOf(cue: ParsedCue): string {
  const out: string[] = [];
  if (cue.direction !== "horizontal") out.push(`vertical:${cue.direction}`);
  if (cue.alignment !== "center") out.push(`align:${cue.alignment}`);
  if (cue.size !== 100) out.push(`size:${cue.size}%`);
  if (cue.linePosition !== "auto") {
    out.push(
      `line:${cue.linePosition}${cue.snapToLines ? "" : "%"}${cue.lineAlign !== "start" ? `,${cue.lineAlign}` : ""}`,
    );
  }
  if (cue.textPosition !== "auto") {
    out.push(`position:${cue.textPosition}%${cue.positionAlign !== "auto" ? `,${cue.positionAlign}` : ""}`);
  }
  return out.length ? ` ${out.join(" ")}` : "";
}

export interface ParseOptions {
  /** The video's duration in ms, when known: cues must end by it plus a second. */
  durationMs?: number | null;
}

/**
 * Reads a caption file (already decoded) into the platform's cues: sorted by start (then
 * longest first), empty ones dropped, duplicates once. Throws `CaptionFileError`.
 */
export function parseCaptions(text: string, format: CaptionFormat, options: ParseOptions = {}): Cue[] {
  const { vtt, srtLine } = format === "srt" ? srtToVtt(text) : { vtt: text, srtLine: undefined };
  const fileLine = (vttLine: number) => (srtLine ? srtLine[vttLine - 1] || 1 : vttLine);
  if (format === "srt" && srtLine && srtLine.length <= 2) throw new CaptionFileError(1, "the file holds no cues");
  const parsed = new webvtt.WebVTTParser(ENTITIES).parse(vtt);
  const fatal = parsed.errors.filter((e) => !REPAIRABLE.test(e.message)).sort((a, b) => a.line - b.line)[0];
  if (fatal) throw new CaptionFileError(fileLine(fatal.line), fatal.message.replace(/\.$/, ""));

  // The line of each timing, for refusals about a cue's times (the parser does not keep it).
  const vttLines = vtt.split(/\r\n|\r|\n/);
  const timingLine = (start: number, end: number) => {
    const at = vttLines.findIndex((line) => {
      const m = /^\s*(\S+)\s+-->\s+(\S+)/.exec(line);
      return !!m && vttMs(m[1] ?? "") === start && vttMs(m[2] ?? "") === end;
    });
    return fileLine(at + 1);
  };

  const limit = options.durationMs == null ? undefined : options.durationMs + 1000;
  const cues: Cue[] = [];
  for (const cue of parsed.cues) {
    const start = Math.round(cue.startTime * 1000);
    const end = Math.round(cue.endTime * 1000);
    if (start < 0) throw new CaptionFileError(timingLine(start, end), "a cue cannot start before 0");
    if (end <= start) throw new CaptionFileError(timingLine(start, end), "a cue must end after it starts");
    if (limit !== undefined && end > limit) {
      throw new CaptionFileError(
        timingLine(start, end),
        `the cue ends at ${vttTimestamp(end)}, after the video's end (${vttTimestamp(limit - 1000)}) plus a second`,
      );
    }
    const payload = payloadOf(cue.tree.children).trim();
    const plain = plainOf(cue.tree.children).replace(/\s+/g, " ").trim();
    if (!plain) continue;
    const previous = cues[cues.length - 1];
    if (previous && previous.start === start && previous.end === end && previous.payload === payload) continue;
    cues.push({ start, end, settings: settingsOf(cue), payload, text: plain });
  }
  if (!cues.length) throw new CaptionFileError(1, "the file holds no cues");
  // The parser sorts by start, longest first; a stable sort keeps that for equal starts.
  return cues.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The platform's WebVTT for cues (sorted): what is stored, served and offered as a `<track>`. */
export function toWebVtt(cues: readonly Cue[], header = ""): string {
  const blocks = cues.map((c) => `${vttTimestamp(c.start)} --> ${vttTimestamp(c.end)}${c.settings}\n${c.payload}`);
  return `WEBVTT${header ? `\n${header}` : ""}\n\n${blocks.join("\n\n")}${blocks.length ? "\n" : ""}`;
}
