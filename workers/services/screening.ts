import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from "obscenity";
import { problem } from "../lib/errors";

/** More links than this in one comment is a link flood. */
export const MAX_LINKS = 2;
/** The same text from one user again within this window is spam. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

// Built once per isolate: compiling the dataset's patterns costs a few milliseconds.
let matcher: RegExpMatcher | undefined;
function profanity(): RegExpMatcher {
  // The recommended transformers undo the usual evasions: leetspeak, look-alike characters,
  // repeated letters and separators ("f.u.c.k", "sh1t", "fuuuck").
  matcher ??= new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  return matcher;
}

/** "f.u.c.k", "B I T C H": single letters spelled apart, which the matcher reads letter by letter. */
const SPELLED_OUT = /\b(?:\p{L}[\s.\-_*|/]+){2,}\p{L}\b/gu;
const joinSpelledOut = (text: string) => text.replace(SPELLED_OUT, (run) => run.replace(/[\s.\-_*|/]+/g, ""));

/**
 * Plain numbers read as leetspeak ("455" is "ass", "717" is "tit"): drop numbers that stand
 * alone before matching, so "I scored 455" passes while "sh1t" inside a word is still read.
 */
const STANDALONE_NUMBER = /(?<![\p{L}\d])\d+(?:[.,:]\d+)*(?![\p{L}\d])/gu;

const LINK =
  /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|ru|xyz|info|biz|ly|gg|me|tk|top|link|click|shop|site|online)\b(?:\/\S*)?/gi;

export const countLinks = (text: string) => text.match(LINK)?.length ?? 0;

export type RejectReason = "profanity" | "links" | "duplicate";

export const rejected = (reason: RejectReason, detail: string) =>
  problem("comment_rejected", { detail, extra: { reason } });

/** Checks a comment's text alone (no I/O): profanity and link floods. */
export function screenText(content: string): void {
  const text = content.replace(STANDALONE_NUMBER, " ");
  if (profanity().hasMatch(text) || profanity().hasMatch(joinSpelledOut(text))) {
    throw rejected("profanity", "The comment contains language that is not allowed here.");
  }
  if (countLinks(content) > MAX_LINKS) {
    throw rejected("links", `A comment may carry at most ${MAX_LINKS} links.`);
  }
}
