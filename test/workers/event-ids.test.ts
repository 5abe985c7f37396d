import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { forgetOldEventIds } from "../../workers/services/engagement";
import { forgetProcessedEvents, PROCESSED_KEEP_MS } from "../../workers/storage/engagement";
import { databaseOf } from "../../workers/wiring/deps";
import { runCron } from "./fixtures";

// The ids of watch events D1 rolled up (processed_events) were kept only while a redelivery
// could come (issue 23: kept forever they were half of D1's growth). Each video's room now
// counts its events once (rollups.test.ts); the ids D1 still holds are forgotten by the cron
// an hour after they were recorded, oldest first, a batch at a time, until the table is empty.

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 11, 6, 12);

/** An id D1 recorded `agoMs` before NOW. */
async function rolledUp(id: string, agoMs: number) {
  await env.DB.prepare("INSERT INTO processed_events (id, created_at) VALUES (?, ?)")
    .bind(id, NOW - agoMs)
    .run();
}

const kept = async (ids: string[]) =>
  (
    await env.DB.prepare(`SELECT id FROM processed_events WHERE id IN (${ids.map(() => "?").join(", ")}) ORDER BY id`)
      .bind(...ids)
      .all<{ id: string }>()
  ).results.map((r) => r.id);

describe("rolled-up event ids", () => {
  it("are forgotten by the cron after an hour", async () => {
    await rolledUp("ev-old", PROCESSED_KEEP_MS + MINUTE);
    await rolledUp("ev-recent", PROCESSED_KEEP_MS - 10 * MINUTE);
    await runCron(NOW);
    expect(await kept(["ev-old", "ev-recent"])).toEqual(["ev-recent"]);
  });

  it("goes a batch at a time, oldest first, until none older than the hour is left", async () => {
    const old = Array.from({ length: 25 }, (_, i) => `batch-old-${String(i).padStart(2, "0")}`);
    for (const [i, id] of old.entries()) await rolledUp(id, PROCESSED_KEEP_MS + (i + 1) * MINUTE);
    await rolledUp("batch-new", MINUTE);

    // Batches of 10: three statements (10, 10, 5), the last one short, so the loop stops there.
    expect(await forgetOldEventIds(databaseOf(env), NOW, 10)).toBe(25);
    expect(await kept([...old, "batch-new"])).toEqual(["batch-new"]);
    expect(await forgetOldEventIds(databaseOf(env), NOW, 10)).toBe(0);
  });

  it("forgets the oldest first when a run's batch cannot take them all", async () => {
    await rolledUp("o-older", PROCESSED_KEEP_MS + 30 * MINUTE);
    await rolledUp("o-old", PROCESSED_KEEP_MS + 5 * MINUTE);
    expect(await forgetProcessedEvents(databaseOf(env), NOW - PROCESSED_KEEP_MS, 1)).toBe(1);
    expect(await kept(["o-older", "o-old"])).toEqual(["o-old"]);
  });
});
