// Migration 0021 (issue 23, docs/capacity.md) has each caption cue name its track by number
// instead of repeating its video's id and language, and rewrites the transcript index's
// triggers to find a cue's video through its track. Applied here, with the project's
// migrations in order, to a database that already holds tracks and cues, in Node's SQLite
// (the SQLite of the local D1): every cue comes through with its id, times and text under its
// track, the transcript index answers the same, the rows take fewer bytes, and after it the
// index still follows every change: a video made public or private, a track replaced, a video
// deleted (its tracks and cues cascade, and none of its cues is left in the index).
import type { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { applyMigration, bytes, insertRow, migrated, plan } from "./migration-db";

const REBUILT = "0021_caption_cues_by_track.sql";
const CUES = 200;
/** Video ids as long as the platform's (16 characters, lib/ids.ts): what every cue repeated before. */
const vid = (v: number) => `vid${v}`.padEnd(16, "x");

/** Ten videos, the odd ones private; tracks in English on each and in German on every third. */
function fill(db: DatabaseSync) {
  insertRow(db, "users", { id: "u1" });
  insertRow(db, "channels", { id: "c1", owner_id: "u1", name: "Channel" });
  for (let v = 0; v < 10; v++) {
    insertRow(db, "videos", {
      id: vid(v),
      channel_id: "c1",
      owner_id: "u1",
      title: `Video ${v}`,
      status: "ready",
      visibility: v % 2 ? "private" : "public",
      owner_suspended: 0,
      tags: "[]",
    });
    for (const language of v % 3 ? ["en"] : ["en", "de"]) track(db, vid(v), language, `word${v}${language}`);
  }
}

/** A track and its cues as the platform wrote them before 0021 (0011's columns). */
function track(db: DatabaseSync, videoId: string, language: string, word: string) {
  db.prepare(
    `INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, updated_at)
     VALUES (?, ?, ?, 'uploaded', 'ready', 'r1', ?, 0)`,
  ).run(videoId, language, language, CUES);
  const cue = db.prepare(
    "INSERT INTO caption_cues (video_id, language, start_ms, end_ms, text) VALUES (?, ?, ?, ?, ?)",
  );
  for (let i = 0; i < CUES; i++)
    cue.run(videoId, language, i * 3500, i * 3500 + 3000, `${word} and the cue number ${i}`);
}

/** Every cue as the transcript lists it: its video, language, id, times and text. */
const cues = (db: DatabaseSync) =>
  db
    .prepare(
      `SELECT k.video_id, k.language, q.id, q.start_ms, q.end_ms, q.text
       FROM captions k CROSS JOIN caption_cues q ON q.track = k.id ORDER BY q.id`,
    )
    .all();
const oldCues = (db: DatabaseSync) =>
  db.prepare("SELECT video_id, language, id, start_ms, end_ms, text FROM caption_cues ORDER BY id").all();
/** The rowids the transcript index holds for a word (an entry without its cue would show here too). */
const indexed = (db: DatabaseSync, word: string) =>
  db
    .prepare("SELECT rowid FROM transcript_search WHERE transcript_search MATCH ? ORDER BY rowid")
    .all(word)
    .map((r) => (r as { rowid: number }).rowid);

describe("migration 0021: caption cues by track", () => {
  it("keeps every cue and the transcript index, in fewer bytes, and the index follows every change after", () => {
    const db = migrated((f) => f < REBUILT);
    fill(db);
    const before = oldCues(db);
    const bytesBefore = bytes(db, "caption_cues");
    const words = ["word0en", "word0de", "word1en", "word2en", "word3de", "word4en"];
    const indexBefore = Object.fromEntries(words.map((w) => [w, indexed(db, w)]));
    expect(before).toHaveLength(14 * CUES); // 10 English tracks, 4 German
    expect(indexBefore.word0en).toHaveLength(CUES); // public: indexed
    expect(indexBefore.word1en).toEqual([]); // private: not
    applyMigration(db, REBUILT);

    expect(cues(db)).toEqual(before);
    expect(Object.fromEntries(words.map((w) => [w, indexed(db, w)]))).toEqual(indexBefore);
    expect(bytes(db, "caption_cues")).toBeLessThan(0.8 * bytesBefore);
    const columns = db
      .prepare("SELECT name FROM pragma_table_info('caption_cues')")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(columns).toEqual(["id", "track", "start_ms", "end_ms", "text"]);

    // Each trigger finds what it reads through an index, never a scan (a scan of the search
    // documents per cue written made loading 1.9 million cues at 100,000 videos take minutes).
    const triggers = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%caption%'")
      .all() as { name: string; sql: string }[];
    expect(triggers.map((t) => t.name)).toEqual(
      expect.arrayContaining(["caption_cues_ai", "caption_cues_ad", "search_documents_transcript_ai"]),
    );
    for (const t of triggers) {
      const when = /\bWHEN (.*?) BEGIN/s.exec(t.sql)?.[1];
      const body = /\bBEGIN\s+(?:INSERT INTO \w+ \([^)]*\)\s+)?(SELECT .*?);\s*END/s.exec(t.sql)?.[1];
      for (const read of [when && `SELECT ${when}`, body]) {
        if (!read) continue;
        const plain = read.replace(/\b(new|old)\.(\w+)/g, (_m, _row, column) =>
          column === "track" || column === "id" ? "1" : "'x'",
        );
        expect(plan(db, plain), `${t.name}: ${plain}`).not.toMatch(/\bSCAN (?!CONSTANT ROW)/);
      }
    }

    // A private video made public: its cues join the index; made private again, they leave.
    db.prepare("UPDATE videos SET visibility = 'public' WHERE id = ?").run(vid(1));
    expect(indexed(db, "word1en")).toHaveLength(CUES);
    db.prepare("UPDATE videos SET visibility = 'private' WHERE id = ?").run(vid(1));
    expect(indexed(db, "word1en")).toEqual([]);

    // A track replaced as captions.ts saveTrack does it (the row first, its cues by number).
    const trackOf = `(SELECT id FROM captions WHERE video_id = '${vid(2)}' AND language = 'en')`;
    db.exec(`DELETE FROM caption_cues WHERE track = ${trackOf}`);
    db.exec(`INSERT INTO caption_cues (track, start_ms, end_ms, text) VALUES (${trackOf}, 0, 1000, 'replaced words')`);
    expect(indexed(db, "word2en")).toEqual([]);
    expect(indexed(db, "replaced")).toHaveLength(1);

    // A public video deleted: its tracks and cues cascade, and none of its cues stays indexed,
    // whichever of the cascades SQLite runs first.
    db.prepare("DELETE FROM videos WHERE id = ?").run(vid(0));
    expect(indexed(db, "word0en")).toEqual([]);
    expect(indexed(db, "word0de")).toEqual([]);
    expect(db.prepare("SELECT count(*) AS n FROM captions WHERE video_id = ?").get(vid(0))).toEqual({ n: 0 });
    expect(
      db.prepare("SELECT count(*) AS n FROM caption_cues WHERE track NOT IN (SELECT id FROM captions)").get(),
    ).toEqual({ n: 0 });
    expect(indexed(db, "word4en")).toHaveLength(CUES); // the others stay
    // The index agrees with its content for every cue still indexed.
    db.exec("INSERT INTO transcript_search (transcript_search, rank) VALUES ('integrity-check', 0)");

    // A fresh database gets the same table (what every test database and a new deployment run),
    // up to this migration: 0023 adds the key of a track's cues in the captions database.
    const fresh = migrated((f) => f <= REBUILT);
    const shape = (d: DatabaseSync, t: string) => d.prepare(`SELECT * FROM pragma_table_info('${t}')`).all();
    for (const t of ["captions", "caption_cues"]) expect(shape(fresh, t), t).toEqual(shape(db, t));
  });
});
