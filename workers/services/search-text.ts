/**
 * Pure text rules of search: how typed text becomes terms, how terms become an FTS5 query,
 * edit distances for typo tolerance, and highlight escaping. No I/O, so the Worker, the
 * evaluation and the benchmark all use exactly these.
 */
import type { TermsQuery } from "../storage/search";

/** More terms than this add nothing a person meant; the rest are ignored. */
export const MAX_TERMS = 10;
/** A term longer than any real word is cut (FTS5 tokens this long are noise). */
const MAX_TERM_CHARS = 40;

/**
 * The last word is a prefix from 3 letters: "to"* would merge the doclists of every word
 * beginning with "to" (today, tokyo, tomato...) for a prefix that means nothing yet.
 */
const MIN_PREFIX = 3;

/** Private-use characters that mark highlights until the text is HTML-escaped. */
export const MARK_OPEN = "\uE000";
export const MARK_CLOSE = "\uE001";

/**
 * Lower case, compatibility forms folded (full-width letters, ligatures) and diacritics
 * removed, as FTS5's `unicode61 remove_diacritics 2` sees a word.
 */
export function fold(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/**
 * The words of a query or a title, split as unicode61 splits them (letters and digits;
 * everything else, punctuation, quotes, operators and emoji included, separates). Nothing a
 * person types survives as FTS5 syntax: the result holds only letters and digits.
 */
export function termsOf(text: string, max = MAX_TERMS): string[] {
  const words = fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.slice(0, max).map((w) => w.slice(0, MAX_TERM_CHARS));
}

/**
 * An FTS5 query that requires every term (in any column, any order; explicit ANDs, since FTS5
 * takes no implicit AND next to a parenthesised group): each term a quoted
 * string, so `OR`, `NEAR`, `*`, `^`, `-` and column names are plain words. The last term
 * may be a word still being typed: it matches as a prefix, and as itself, so that the word
 * exactly as typed scores twice ("pho" ranks the soup above "photography").
 */
export function matchAll(terms: readonly string[], prefixLast = true): string {
  return terms
    .map((t, i) => (prefixLast && i === terms.length - 1 && t.length >= MIN_PREFIX ? `("${t}" OR "${t}"*)` : `"${t}"`))
    .join(" AND ");
}

/**
 * The forms a search's terms are looked up in, and the word that picks between them
 * (storage/search.ts): with the last word also a prefix while it may still be being typed,
 * or as typed once that word is itself in so many videos that its completions could only
 * crowd the ranked window (and merging their doclists is most of the query's cost).
 */
export function termsQuery(terms: readonly string[]): TermsQuery {
  return {
    prefixed: matchAll(terms),
    exact: matchAll(terms, false),
    last: terms[terms.length - 1] ?? "",
    words: [...terms],
  };
}

/** Title-only prefix query for completions. */
export function matchTitle(terms: readonly string[]): string {
  return `{title} : (${matchAll(terms)})`;
}

/** Meilisearch's rule: no typo allowed under 5 letters, one from 5, two from 9. */
export function allowedTypos(word: string): number {
  const n = [...word].length;
  return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

/** Trigrams of a word padded with a space on each side (" br", "bre", ..., "ad "). */
export function trigrams(word: string): string[] {
  const chars = [..." ", ...word, " "];
  const out = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) out.add(chars.slice(i, i + 3).join(""));
  return [...out];
}

/**
 * Damerau-Levenshtein distance (optimal string alignment: insert, delete, substitute,
 * swap two neighbours), stopping early once it must exceed `max`.
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  // Three rows of the matrix: i - 2 (for swaps), i - 1 and i.
  const width = t.length + 1;
  let before = new Uint32Array(width);
  let prev = Uint32Array.from({ length: width }, (_, j) => j);
  let row = new Uint32Array(width);
  for (let i = 1; i <= s.length; i++) {
    row[0] = i;
    let best = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      row[j] = d;
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    [before, prev, row] = [prev, row, before];
  }
  return prev[t.length] ?? 0;
}

/** Whether `words` holds `phrase` as consecutive words (the last one may be a prefix). */
export function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  if (!phrase.length || phrase.length > words.length) return false;
  const last = phrase.length - 1;
  for (let start = 0; start + phrase.length <= words.length; start++) {
    let ok = true;
    for (let k = 0; k <= last && ok; k++) {
      const w = words[start + k] ?? "";
      ok = k === last ? w.startsWith(phrase[k] ?? "") : w === phrase[k];
    }
    if (ok) return true;
  }
  return false;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * FTS5's highlight()/snippet() output (the stored text with MARK_OPEN/MARK_CLOSE around
 * matches) as HTML: everything escaped, then only well-formed marker pairs become <mark>.
 * A marker character a person typed into a title cannot open a tag: it is dropped.
 */
export function markedHtml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? "");
  return escaped
    .replace(new RegExp(`${MARK_OPEN}([^${MARK_OPEN}${MARK_CLOSE}]*)${MARK_CLOSE}`, "g"), "<mark>$1</mark>")
    .replace(new RegExp(`[${MARK_OPEN}${MARK_CLOSE}]`, "g"), "");
}
