import { DurableObject } from "cloudflare:workers";

/** A notice in a user's inbox, as the notifications list shows it. */
export type InboxRow = {
  id: string;
  type: string;
  video_id: string | null;
  message: string;
  read: number;
  /** ms since the epoch */
  created_at: number;
};

/** A notice to deliver: one per (type, video), so a redelivered fan-out page adds nothing. */
export interface InboxNotice {
  id: string;
  type: string;
  videoId: string;
  message: string;
  createdAt: number;
}

/** Notices one inbox keeps; beyond it the oldest go (a subscriber of busy channels reads the latest). */
export const INBOX_CAP = 1_000;
/** Deliveries between two checks of the cap. */
const TRIM_EVERY = 50;

/**
 * One user's inbox of new-video notices (issue 23: the fan-out, one notice per subscriber per
 * upload, was the notifications table's whole growth in the shared D1; docs/capacity.md),
 * named by the user id, in its own SQLite. The rare notices (a video ready, captions, a
 * moderation outcome) stay in D1, written in the same batch as what they report; the list
 * merges both.
 */
export class UserInbox extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS notices (id TEXT PRIMARY KEY, type TEXT NOT NULL, video_id TEXT NOT NULL,
        message TEXT NOT NULL, read INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE UNIQUE INDEX IF NOT EXISTS notices_once ON notices (type, video_id);
      CREATE INDEX IF NOT EXISTS notices_at ON notices (created_at, id);`);
  }

  /** Delivers a notice unless the inbox has one of its type for its video: whether it is new. */
  async deliver(notice: InboxNotice): Promise<boolean> {
    const added =
      this.sql
        .exec(
          `INSERT INTO notices (id, type, video_id, message, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT DO NOTHING RETURNING 1`,
          notice.id,
          notice.type,
          notice.videoId,
          notice.message,
          notice.createdAt,
        )
        .toArray().length === 1;
    if (added) {
      const adds = (this.ctx.storage.kv.get<number>("adds") ?? 0) + 1;
      this.ctx.storage.kv.put("adds", adds);
      if (adds % TRIM_EVERY === 0) {
        this.sql.exec(
          "DELETE FROM notices WHERE id IN (SELECT id FROM notices ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?)",
          INBOX_CAP,
        );
      }
    }
    return added;
  }

  /** The newest `limit` notices, newest first, and how many the inbox holds. */
  async latest(limit: number): Promise<{ rows: InboxRow[]; total: number }> {
    const rows = this.sql
      .exec<InboxRow>(
        "SELECT id, type, video_id, message, read, created_at FROM notices ORDER BY created_at DESC, id DESC LIMIT ?",
        limit,
      )
      .toArray();
    const total = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM notices").one().n;
    return { rows, total };
  }
}
