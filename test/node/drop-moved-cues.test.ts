// Migration 0024 (issue 23, docs/capacity.md "The captions move", step 3) drops this database's
// caption cues and transcript index: since 0023 every track keeps its cues in the `CAPTIONS`
// database, and the cron of the release before moved the older ones there. A cue still here is
// a transcript that lives nowhere else, so the migration refuses to run while one is, and D1
// rolls it back whole. Here, in Node's SQLite (the SQLite of the local D1) with the migration in
// one transaction as D1 applies it: the refusal with a track not yet moved; the drop once every
// track names its version in `CAPTIONS`, after which tracks and videos are still written and
// deleted as the platform does (no trigger left reading a dropped table) and every caption
// change still bumps the search version; and the refusal through wrangler itself.
import type { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { applyAsD1, expectGuardThroughWrangler, insertRow, migrated, tablesOf } from "./migration-db";

const DROP = "0024_drop_moved_cues.sql";
const DROPPED = ["caption_cues", "transcript_search"];

/** A database migrated up to 0023, with a public video that has a track, its cues still here (as before 0023). */
function withUnmovedTrack() {
  const db = migrated((f) => f < DROP);
  insertRow(db, "users", { id: "u1" });
  insertRow(db, "channels", { id: "c1", owner_id: "u1", name: "Channel" });
  video(db, "v1");
  db.exec(`INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, updated_at)
           VALUES ('v1', 'en', 'English', 'uploaded', 'ready', 'r1', 1, 0)`);
  db.exec(`INSERT INTO caption_cues (track, start_ms, end_ms, text)
           VALUES ((SELECT id FROM captions WHERE video_id = 'v1'), 0, 1000, 'purl stitch')`);
  return db;
}

function video(db: DatabaseSync, id: string) {
  insertRow(db, "videos", {
    id,
    channel_id: "c1",
    owner_id: "u1",
    title: `Video ${id}`,
    status: "ready",
    visibility: "public",
    owner_suspended: 0,
    tags: "[]",
  });
}

const version = (db: DatabaseSync) =>
  (db.prepare("SELECT value FROM search_meta WHERE key = 'version'").get() as { value: number }).value;
const count = (db: DatabaseSync, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe("migration 0024: this database's caption cues dropped", () => {
  it("refuses while a cue is not moved, and changes nothing", () => {
    const db = withUnmovedTrack();
    expect(() => applyAsD1(db, DROP)).toThrow("CHECK constraint failed: caption_cues_not_yet_moved");
    expect(tablesOf(db)).toEqual(expect.arrayContaining(DROPPED));
    expect(tablesOf(db)).not.toContain("moved");
    expect(count(db, "caption_cues")).toBe(1);
    const found = db.prepare("SELECT rowid FROM transcript_search WHERE transcript_search MATCH 'purl'").all();
    expect(found).toHaveLength(1);
  });

  it("drops the cues and their index once every track is moved; tracks and videos still come and go", () => {
    const db = withUnmovedTrack();
    // What the cron's move did: the cues written to CAPTIONS, the row naming them, these gone.
    db.exec("UPDATE captions SET cues_key = 1 WHERE video_id = 'v1'");
    db.exec("DELETE FROM caption_cues");
    applyAsD1(db, DROP);
    const left = tablesOf(db);
    for (const table of [...DROPPED, "moved"]) expect(left).not.toContain(table);
    expect(count(db, "captions")).toBe(1);
    const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as {
      name: string;
      sql: string;
    }[];
    expect(triggers.filter((t) => /caption_cues|transcript_search/.test(t.sql)).map((t) => t.name)).toEqual([]);

    // Every change to a track still bumps the search version (cached answers go stale).
    let v = version(db);
    db.exec(`INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, updated_at, cues_key)
             VALUES ('v1', 'de', 'Deutsch', 'uploaded', 'ready', 'r2', 1, 0, 2)`);
    expect(version(db)).toBe(++v);
    db.exec("UPDATE captions SET rev = 'r3', cues_key = 3 WHERE video_id = 'v1' AND language = 'de'");
    expect(version(db)).toBe(++v);
    db.exec("DELETE FROM captions WHERE video_id = 'v1' AND language = 'de'");
    expect(version(db)).toBe(++v);

    // A new video becomes searchable, goes private and comes back; a video deleted takes its tracks.
    video(db, "v2");
    expect(count(db, "search_documents")).toBe(2);
    db.exec("UPDATE videos SET visibility = 'private' WHERE id = 'v2'");
    db.exec("UPDATE videos SET visibility = 'public' WHERE id = 'v2'");
    db.exec("DELETE FROM videos WHERE id = 'v1'");
    expect(count(db, "captions")).toBe(0);
    expect(count(db, "search_documents")).toBe(1);
    expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
  });

  it("is refused by wrangler's D1 with the constraint's name, and rolled back whole", () => {
    expectGuardThroughWrangler({
      name: "drop-moved-cues",
      drop: DROP,
      pending: [
        "INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, updated_at) VALUES ('v1', 'en', 'English', 'uploaded', 'ready', 'r1', 1, 0)",
        "INSERT INTO caption_cues (track, start_ms, end_ms, text) VALUES (1, 0, 1000, 'purl stitch')",
      ],
      constraint: "caption_cues_not_yet_moved",
      dropped: DROPPED,
      // Moved, the same migration goes through.
      clear: ["UPDATE captions SET cues_key = 1", "DELETE FROM caption_cues"],
      kept: "captions",
    });
  }, 120_000);
});
