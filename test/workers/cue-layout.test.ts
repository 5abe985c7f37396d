import { describe, expect, it } from "vitest";
import { breakLines, CUE_LAYOUT, layoutCues, type TimedWord } from "../../workers/services/cue-layout";

/** Words said one after another from `start` ms, each `each` ms long with `gap` ms between them. */
function said(text: string, start = 0, each = 300, gap = 0): TimedWord[] {
  return text.split(" ").map((word, i) => ({
    text: word,
    start: start + i * (each + gap),
    end: start + i * (each + gap) + each,
  }));
}

const lines = (payload: string) => payload.split("\n");

describe("auto captions' cue layout", () => {
  it("breaks a cue into at most two lines of 42 characters, most evenly", () => {
    expect(breakLines(["short", "line"])).toEqual(["short line"]);
    const words = "the quick brown fox jumps over the lazy dog and runs far away".split(" ");
    const broken = breakLines(words);
    expect(broken).toEqual(["the quick brown fox jumps over", "the lazy dog and runs far away"]);
    expect(breakLines([..."a".repeat(40)].map(() => "word"))).toBeNull();

    const cues = layoutCues(said("the quick brown fox jumps over the lazy dog and runs far away", 0, 200));
    expect(cues).toHaveLength(1);
    expect(lines(cues[0]!.payload)).toEqual(broken);
    expect(cues[0]!.text).toBe("the quick brown fox jumps over the lazy dog and runs far away");
  });

  it("starts a new cue when the words no longer fit two lines", () => {
    // 30 short words said quickly: about 150 characters, so at least two cues within 7 s.
    const words = said(Array.from({ length: 30 }, (_, i) => `w${String(i).padStart(2, "0")}`).join(" "), 0, 100);
    const cues = layoutCues(words);
    expect(cues.length).toBeGreaterThanOrEqual(2);
    for (const cue of cues) {
      const ls = lines(cue.payload);
      expect(ls.length).toBeLessThanOrEqual(CUE_LAYOUT.maxLines);
      for (const l of ls) expect(l.length).toBeLessThanOrEqual(CUE_LAYOUT.maxLineChars);
    }
    // Every word is in exactly one cue, in order.
    expect(cues.map((c) => c.text).join(" ")).toBe(words.map((w) => w.text).join(" "));
  });

  it("keeps a cue at most 7 seconds, however slowly the words come", () => {
    // A word a second, 20 words (short enough to fit two lines): split by time, not by length.
    const words = said("a b c d e f g h i j k l m n o p q r s t", 0, 500, 500);
    const cues = layoutCues(words);
    expect(cues.length).toBeGreaterThanOrEqual(3);
    for (const cue of cues) expect(cue.end - cue.start).toBeLessThanOrEqual(CUE_LAYOUT.maxMs);
    // A single word longer than 7 s is cut to 7 s.
    const [long] = layoutCues([{ text: "hmmm", start: 1000, end: 20_000 }]);
    expect(long).toMatchObject({ start: 1000, end: 8000 });
  });

  it("keeps a short cue up for a second, never over the next cue nor past the media's end", () => {
    const [alone] = layoutCues([{ text: "Hi.", start: 2000, end: 2200 }]);
    expect(alone).toMatchObject({ start: 2000, end: 3000, text: "Hi." });
    // The next cue comes 1.3 s later (a pause): the first stays a second, up to it at most.
    const pair = layoutCues([
      { text: "Yes.", start: 0, end: 150 },
      { text: "Then", start: 1400, end: 1700 },
      { text: "we", start: 1700, end: 1900 },
      { text: "go.", start: 1900, end: 2300 },
    ]);
    expect(pair.map((c) => [c.start, c.end, c.text])).toEqual([
      [0, 1000, "Yes."],
      [1400, 2400, "Then we go."],
    ]);
    const [last] = layoutCues([{ text: "End", start: 9500, end: 9700 }], { endMs: 10_000 });
    expect(last).toMatchObject({ start: 9500, end: 10_000 });
    // Cues never overlap, and each lasts at least a second where the words leave room.
    const cues = layoutCues(said("one. two. three. four.", 0, 300, 1300));
    for (const [i, cue] of cues.entries()) {
      expect(cue.end - cue.start).toBeGreaterThanOrEqual(CUE_LAYOUT.minMs);
      if (cues[i + 1]) expect(cue.end).toBeLessThanOrEqual(cues[i + 1]!.start);
    }
  });

  it("ends a cue at a pause, so captions do not hang over silence", () => {
    const words = [...said("hello there friend", 0, 300), ...said("after the pause", 3000, 300)];
    const cues = layoutCues(words);
    expect(cues.map((c) => [c.start, c.end, c.text])).toEqual([
      [0, 1000, "hello there friend"],
      [3000, 4000, "after the pause"],
    ]);
    // Under the pause threshold the words stay together.
    const close = [...said("hello there", 0, 300), ...said("friend", 600 + CUE_LAYOUT.pauseMs - 100, 300)];
    expect(layoutCues(close)).toHaveLength(1);
  });

  it("escapes the payload, cleans words and lays out nothing for no words", () => {
    const [cue] = layoutCues([
      { text: " <b>&", start: 0, end: 400 },
      { text: "", start: 400, end: 500 },
      { text: "x>y ", start: 500, end: 1200 },
    ]);
    expect(cue).toMatchObject({ payload: "&lt;b&gt;&amp; x&gt;y", text: "<b>& x>y" });
    expect(layoutCues([])).toEqual([]);
  });
});
