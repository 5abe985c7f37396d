import {
  DataSet,
  englishDataset,
  englishRecommendedBlacklistMatcherTransformers,
  englishRecommendedTransformers,
  type ParsedPattern,
  RegExpMatcher,
  SyntaxKind,
} from "obscenity";
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

/**
 * Whether the matcher finds one of its words in a comment, evasions included: the same
 * steps for profanity and for a channel's held words (standalone numbers dropped, the text
 * as written and with spelled-out letters joined).
 */
function mentions(matcher: RegExpMatcher, content: string): boolean {
  const text = content.replace(STANDALONE_NUMBER, " ");
  return matcher.hasMatch(text) || matcher.hasMatch(joinSpelledOut(text));
}

/**
 * Text as the matcher sees it, through the same transformers (look-alike letters,
 * leetspeak, lower case, repeated letters collapsed): the characters it becomes, and the
 * index in `text` of each (a repeated letter is dropped, so it has none).
 */
function transform(text: string): { chars: number[]; from: number[] } {
  const steps = englishRecommendedBlacklistMatcherTransformers.map((t) => {
    if ("transform" in t) return t.transform;
    const stateful = t.factory(); // its transform is a method: called on the instance
    return (char: number) => stateful.transform(char);
  });
  const chars: number[] = [];
  const from: number[] = [];
  let index = 0;
  for (const char of text) {
    let code: number | undefined = char.codePointAt(0);
    for (const step of steps) code = code === undefined ? undefined : step(code);
    if (code !== undefined) {
      chars.push(code);
      from.push(index);
    }
    index += char.length;
  }
  return { chars, from };
}

/** A letter or digit: what a whole word may not touch on either side. */
const WORD_CHAR = /[\p{L}\p{N}]/u;
const wordCharAt = (text: string, index: number) => WORD_CHAR.test(text.charAt(index));

/**
 * A channel's own held words, matched like profanity (obscenity's DataSet and recommended
 * transformers, the same evasion steps) but as whole words: "class" holds "C-L-A-S-S",
 * "cl4ss" and "CLASS!", not "classic". A word is written as the transformers make text
 * ("Cool" as "cool", "b4d" as "bad"); its edges are judged in the text as written, since
 * the leetspeak transformer reads "!" as "i", and a match ends where the next character
 * the transformers keep begins (a repeated last letter is part of the word).
 */
export function heldWordsMatcher(words: string[]): (content: string) => boolean {
  const dataset = new DataSet<{ word: string }>();
  for (const word of words) {
    const { chars } = transform(word);
    if (chars.length === 0) continue;
    const pattern: ParsedPattern = {
      nodes: [{ kind: SyntaxKind.Literal, chars }],
      requireWordBoundaryAtStart: false,
      requireWordBoundaryAtEnd: false,
    };
    dataset.addPhrase((phrase) => phrase.setMetadata({ word }).addPattern(pattern));
  }
  const matcher = new RegExpMatcher({ ...dataset.build(), ...englishRecommendedTransformers });
  const wholeWord = (text: string) => {
    const matches = matcher.getAllMatches(text);
    if (matches.length === 0) return false;
    const kept = transform(text).from;
    return matches.some((m) => {
      const next = kept.find((i) => i > m.endIndex) ?? text.length;
      return !wordCharAt(text, m.startIndex - 1) && !wordCharAt(text, next);
    });
  };
  return (content) => {
    const text = content.replace(STANDALONE_NUMBER, " ");
    return wholeWord(text) || wholeWord(joinSpelledOut(text));
  };
}

/** Checks a comment's text alone (no I/O): profanity and link floods. */
export function screenText(content: string): void {
  if (mentions(profanity(), content)) {
    throw rejected("profanity", "The comment contains language that is not allowed here.");
  }
  if (countLinks(content) > MAX_LINKS) {
    throw rejected("links", `A comment may carry at most ${MAX_LINKS} links.`);
  }
}
