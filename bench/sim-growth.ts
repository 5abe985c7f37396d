// npm run sim:growth — the capacity model's measurement (issue 23, docs/capacity.md).
//
// Applies the project's real migrations (migrations/*.sql, in order) to a fresh SQLite file,
// generates a catalogue scaled down from the issue's target (1 million videos, 10 million
// users), then writes simulated days of activity at the same scale (10 million views a
// day): every row the platform writes per position report, view, like, comment, share, room
// join and upload, through the same SQL as workers/storage/*.ts (each statement below names the
// function it mirrors). Two warm-up days fill the windows (trending's 48 h, the viewers' and
// room members' 24 h, the cron's prunes); the third day is measured. Each table's and index's
// bytes come from SQLite's `dbstat` virtual table (pages actually used, 4 KiB each), before and
// after the measured day.
//
// Scaling: the whole platform is scaled by one factor s (SIM_SCALE_DENOM=200: 5,000 videos,
// 50,000 users, 50,000 views a day), so every per-entity rate (views per video, videos per
// viewer, subscribers per channel) is the full platform's; a day's growth at full scale is the
// measured growth / s. What does not scale so (the cron's fixed share of rows pruned per run)
// is scaled by s too, so it bites here as it would there.
//
// Prints, per D1 table (its indexes and FTS shadow tables included): rows and bytes added on
// the measured day, bytes per row, growth per day at 10 million views a day, its retention (what prunes
// it, from the code) and size after a year; then checks the issue's goal, "no D1 table grows
// more than 50 MB a day at 10 million views a day", naming every table that fails it (a goal
// not met is a finding, not a broken run: the exit status says only whether the run worked).
//
// Node's built-in SQLite (node:sqlite, SQLite 3.5x with dbstat and FTS5): no dependency.
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { announceSmoke, check, checkFinite, setting, smokeFooter } from "./mode.ts";

const root = path.resolve(import.meta.dirname, "..");
const out = path.join(root, ".bench", "sim-growth");

// --- the target and the model's assumptions (docs/capacity.md, "Assumptions") ---

const TARGET = { videos: 1_000_000, users: 10_000_000, viewsPerDay: 10_000_000 };
/** The issue's goal: bytes a D1 table may grow per day at TARGET.viewsPerDay (decimal MB). */
const GOAL_BYTES_PER_DAY = 50e6;
/** D1's limit per database ("cannot be further increased"). */
const LIMIT_BYTES = 10e9;
const denom = setting("SIM_SCALE_DENOM", 200, 20_000);
const s = 1 / denom;
const seed = setting("SIM_SEED", 23, 23);
/** Days simulated before the measured one: trending reads 48 h, viewer windows and room members 24 h. */
const warmupDays = setting("SIM_WARMUP_DAYS", 2, 1);

const A = {
  channelsPerUser: 0.01, // 100,000 channels for 10 million users
  subscriptionsPerUser: 5,
  playlistsPerUser: 0.1,
  itemsPerPlaylist: 10,
  watchLaterShare: 0.2,
  watchLaterItems: 5,
  renditionsPerVideo: 5,
  captionedShare: 0.3, // videos with one caption track
  secondsPerCue: 3.5,
  baseCommentsPerVideo: 5, // comments already there before the measured days
  uploadsPerDay: TARGET.videos / 365, // the catalogue grew to 1M videos over the year
  partsPerUpload: 38, // 300 MB at 8 MiB parts
  signedInShare: 0.5, // sessions by a signed-in viewer (the rest: anonymous, a daily id)
  anonSessionsPerViewer: 2,
  historyPausedShare: 0.02,
  bounceShare: 0.25, // sessions that stop before 10 s (no view, but 1 report)
  medianVideoSeconds: 420,
  videoSecondsSigma: 1.0, // log-normal
  watchedFractionPower: 1.3, // fraction watched = u^1.3 (mean 0.43)
  videoZipf: 0.9,
  // How much each user watches: log-normal weights, the heaviest at most 100 times the median
  // (about 20 sessions a day at full scale), not Zipf, whose head would watch thousands a day.
  userActivitySigma: 1.5,
  userActivityCap: 100,
  channelZipf: 1.0,
  likeShare: 0.06, // of signed-in views
  commentShare: 0.01, // of signed-in views
  replyShare: 0.3,
  shareShare: 0.005, // of all views
  webhookChannelShare: 0.01, // channels with an endpoint hearing comment.created and video.ready
  // The watch page reports every 10 s while playing until the view's threshold, then every
  // 30 s (web/client/watch.ts REPORT_MS), and on pause/leave. SIM_REPORT_AFTER_VIEW=10 is the
  // cadence before 2026-12-06 (every 10 s throughout), for the side by side.
  reportSeconds: { untilView: 10, afterView: setting("SIM_REPORT_AFTER_VIEW", 30, 30) },
} as const;

const REGIONS = [
  "US",
  "IN",
  "BR",
  "ID",
  "MX",
  "JP",
  "DE",
  "GB",
  "FR",
  "RU",
  "TR",
  "PH",
  "VN",
  "TH",
  "KR",
  "IT",
  "ES",
  "CA",
  "PL",
  "AR",
  "CO",
  "EG",
  "SA",
  "NG",
  "PK",
  "BD",
  "AU",
  "NL",
  "UA",
  "ZA",
];
const UNKNOWN_REGION = "ZZ";
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const CRON_MS = 5 * 60_000;
// signals.ts
const CO_VIEW_WINDOW_MS = DAY_MS;
const RECENT_WATCHES_PER_VIEWER = 20;
const CO_VIEW_HALF_LIFE_MS = 7 * DAY_MS;
// wiring/windows.ts WINDOW_SHARDS, viewer-windows.ts WINDOW_PRUNE_EVERY_MS (each shard's alarm)
const WINDOW_SHARDS = 64;
const WINDOW_PRUNE_EVERY_MS = HOUR_MS;
const ROOM_MEMORY_MS = DAY_MS; // user-history.ts ROOM_MEMORY_MS

// --- a seeded generator ---

let state = seed >>> 0 || 1;
function rand(): number {
  // mulberry32
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const chance = (p: number) => rand() < p;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** lib/ids.ts newId(): 16 base62 characters. */
function newId(length = 16): string {
  let id = "";
  for (let i = 0; i < length; i++) id += ALPHABET[Math.floor(rand() * 62)];
  return id;
}
const hex = (bytes: number) => {
  let h = "";
  for (let i = 0; i < bytes; i++)
    h += Math.floor(rand() * 256)
      .toString(16)
      .padStart(2, "0");
  return h;
};
function normal(): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Draws an index in [0, n) with probability ∝ 1/(i+1)^a (Zipf). */
const zipf = (n: number, a: number) => weighted(Array.from({ length: n }, (_, i) => 1 / (i + 1) ** a));

/** Draws an index with probability ∝ its weight, by binary search of the CDF. */
function weighted(weights: readonly number[]): () => number {
  const n = weights.length;
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += weights[i] as number;
    cdf[i] = sum;
  }
  return () => {
    const x = rand() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const WORDS = (
  "how to make best easy quick home recipe cake bread pasta chicken guitar piano lesson " +
  "beginner guide review unboxing phone camera laptop game walkthrough boss level speedrun " +
  "travel vlog tokyo paris hiking mountain beach sunset timelapse drone music cover live " +
  "concert remix tutorial javascript python react rust database cloud workers edge fitness " +
  "workout yoga morning routine diy repair bike car engine garden plants cat dog funny " +
  "moments news science space rocket physics history documentary interview podcast episode"
).split(" ");
const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
const sentence = (min: number, max: number) => {
  const text = words(int(min, max));
  return text[0]?.toUpperCase() + text.slice(1);
};

// --- the database ---

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const file = path.join(out, "sim.db");
/** A fresh SQLite file with every migration of `dir` (under migrations/) applied in order. */
function migratedFile(name: string, dir: string): DatabaseSync {
  const on = new DatabaseSync(path.join(out, name));
  on.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON;");
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    on.exec(readFileSync(path.join(dir, f), "utf8"));
  }
  return on;
}
const db = migratedFile("sim.db", path.join(root, "migrations"));

/** Counts statements and rows changed per mirrored storage function (docs: writes per action). */
const ops = new Map<string, { statements: number; changes: number }>();
/** Runs a statement on `on` (prepared once), counting it and the rows it changed under `label`. */
function runnerOn(on: DatabaseSync) {
  const cache = new Map<string, StatementSync>();
  return (label: string, sql: string, ...params: (string | number | null)[]): number => {
    let st = cache.get(sql);
    if (!st) {
      st = on.prepare(sql);
      cache.set(sql, st);
    }
    const changes = Number(st.run(...params).changes);
    const o = ops.get(label) ?? { statements: 0, changes: 0 };
    o.statements++;
    o.changes += changes;
    ops.set(label, o);
    return changes;
  };
}
const run = runnerOn(db);
const all = <T>(sql: string, ...params: (string | number)[]) => db.prepare(sql).all(...params) as T[];

/**
 * The captions database (wrangler.toml's CAPTIONS, migrations/captions): each saved track's
 * cues and their transcript index, a D1 database of its own since migration 0023. A file of
 * its own here too, measured as the core's is; its tables are reported as `CAPTIONS:<table>`.
 */
const capDb = migratedFile("captions.db", path.join(root, "migrations", "captions"));
/** `run` on the captions database. */
const runCaptions = runnerOn(capDb);

/**
 * The comments database (wrangler.toml's COMMENTS, migrations/comments): every comment is
 * written there (migration 0026 split it out, 0027 dropped `DB`'s once moved); its table is
 * reported as `COMMENTS:comments`. Each row carries its video's channel and its author's name
 * (a database of its own cannot join `users` and `videos`).
 */
const comDb = migratedFile("comments.db", path.join(root, "migrations", "comments"));
/** `run` on the comments database. */
const runComments = runnerOn(comDb);

/**
 * The video rooms' own SQLite (Durable Objects, not D1): each room keeps its video's view marks
 * (video-room.ts `markView`) and hourly activity (room-hours.ts), LIMITS.markHours of them,
 * the ids of the events it rolled up (an hour), and its top co-views (co-views.ts). One database here for every room, so
 * its rows carry the video id the rooms' do not (about 17 bytes a mark more than a room's).
 * Attached, so that trending's statement can read it as the rooms answer the cron.
 */
db.exec(`ATTACH '${path.join(out, "rooms.db")}' AS rooms;
  CREATE TABLE rooms.view_marks (video_id TEXT NOT NULL, viewer TEXT NOT NULL, hour INTEGER NOT NULL, region TEXT NOT NULL,
    PRIMARY KEY (video_id, viewer, hour)) WITHOUT ROWID;
  CREATE INDEX rooms.view_marks_hour ON view_marks (video_id, hour);
  CREATE TABLE rooms.co_views (video_id TEXT NOT NULL, other TEXT NOT NULL, k REAL NOT NULL,
    PRIMARY KEY (video_id, other)) WITHOUT ROWID;
  CREATE INDEX rooms.co_views_k ON co_views (video_id, k);
  CREATE TABLE rooms.hours (video_id TEXT NOT NULL, hour INTEGER NOT NULL, region TEXT NOT NULL, views INTEGER NOT NULL,
    watch_seconds REAL NOT NULL, likes INTEGER NOT NULL, comments INTEGER NOT NULL, shares INTEGER NOT NULL,
    flushed_views INTEGER NOT NULL DEFAULT 0, flushed_watch_seconds REAL NOT NULL DEFAULT 0,
    flushed_likes INTEGER NOT NULL DEFAULT 0, flushed_shares INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (video_id, hour, region)) WITHOUT ROWID;`);
const MARK_HOURS = 49; // video-room-protocol.ts LIMITS.markHours
/** The users' history objects (user-history.ts `UserHistory`): one database here for all, keyed by user too. */
db.exec(`ATTACH '${path.join(out, "users.db")}' AS users;
  CREATE TABLE users.history (user_id TEXT NOT NULL, video_id TEXT NOT NULL, position REAL NOT NULL, duration REAL NOT NULL,
    percent REAL NOT NULL, watched_at INTEGER NOT NULL, mark_hour INTEGER, PRIMARY KEY (user_id, video_id)) WITHOUT ROWID;
  CREATE INDEX users.history_at ON history (user_id, watched_at, video_id);`);
const lastReport = db.prepare("SELECT mark_hour FROM users.history WHERE user_id = ? AND video_id = ?");
const keepReport = db.prepare(
  `INSERT INTO users.history (user_id, video_id, position, duration, percent, watched_at) VALUES (?, ?, ?, ?, ?, ?)
   ON CONFLICT (user_id, video_id) DO UPDATE SET position = excluded.position, duration = excluded.duration,
     percent = excluded.percent, watched_at = excluded.watched_at`,
);
const keepMarkHour = db.prepare("UPDATE users.history SET mark_hour = ? WHERE user_id = ? AND video_id = ?");
/** The rooms a user joined in the last day (user-history.ts `rooms`), keyed by user too. */
db.exec(`CREATE TABLE users.rooms (user_id TEXT NOT NULL, video_id TEXT NOT NULL, joined_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, video_id)) WITHOUT ROWID;`);
const joinRoom = db.prepare(
  `INSERT INTO users.rooms (user_id, video_id, joined_at) VALUES (?, ?, ?)
   ON CONFLICT (user_id, video_id) DO UPDATE SET joined_at = excluded.joined_at`,
);
const forgetRooms = db.prepare("DELETE FROM users.rooms WHERE user_id = ? AND joined_at < ?");
/** Each user's likes (user-history.ts `likes`), keyed by user too. */
db.exec(`CREATE TABLE users.likes (user_id TEXT NOT NULL, video_id TEXT NOT NULL, value INTEGER NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (user_id, video_id)) WITHOUT ROWID;`);
const keepLike = db.prepare(
  `INSERT INTO users.likes (user_id, video_id, value, at) VALUES (?, ?, 1, ?)
   ON CONFLICT (user_id, video_id) DO UPDATE SET value = excluded.value, at = excluded.at`,
);
/** The users' inbox objects (user-inbox.ts `UserInbox`), in the same stand-in, keyed by user too. */
db.exec(`CREATE TABLE users.inbox (user_id TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, video_id TEXT NOT NULL,
    message TEXT NOT NULL, read INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, PRIMARY KEY (user_id, id)) WITHOUT ROWID;
  CREATE UNIQUE INDEX users.inbox_once ON inbox (user_id, type, video_id);
  CREATE INDEX users.inbox_at ON inbox (user_id, created_at, id);`);
/**
 * The viewers' windows (viewer-windows.ts `ViewerWindows`, 64 objects sharded by a hash of the
 * viewer): one database here for all shards, as each shard's table is (keyed by viewer).
 */
db.exec(`ATTACH '${path.join(out, "windows.db")}' AS windows;
  CREATE TABLE windows.watches (viewer TEXT NOT NULL, video_id TEXT NOT NULL, watched_at INTEGER NOT NULL, event_id TEXT,
    PRIMARY KEY (viewer, video_id)) WITHOUT ROWID;
  CREATE INDEX windows.watches_at ON watches (watched_at);`);
const windowRow = db.prepare("SELECT watched_at, event_id FROM windows.watches WHERE viewer = ? AND video_id = ?");
const windowOthers = db.prepare(
  `SELECT video_id FROM windows.watches WHERE viewer = ? AND video_id <> ? AND watched_at >= ? AND watched_at <= ?
   ORDER BY watched_at DESC LIMIT ?`,
);
const windowTouch = db.prepare(
  "UPDATE windows.watches SET watched_at = max(watched_at, ?) WHERE viewer = ? AND video_id = ?",
);
const windowPut = db.prepare(
  `INSERT INTO windows.watches (viewer, video_id, watched_at, event_id) VALUES (?, ?, ?, ?)
   ON CONFLICT (viewer, video_id) DO UPDATE SET watched_at = excluded.watched_at, event_id = excluded.event_id`,
);
const windowTrim = db.prepare(
  `DELETE FROM windows.watches WHERE viewer = ?1 AND (watched_at < ?2 OR video_id NOT IN (
     SELECT video_id FROM windows.watches WHERE viewer = ?1 ORDER BY watched_at DESC LIMIT ?3))`,
);
const windowPrune = db.prepare("DELETE FROM windows.watches WHERE watched_at < ?");
const deliverNotices = db.prepare(
  `INSERT INTO users.inbox (user_id, id, type, video_id, message, created_at)
   SELECT s.user_id, lower(hex(randomblob(10))), 'new_video', ?1, ?2, ?4 FROM subscriptions s WHERE s.channel_id = ?3
   ON CONFLICT DO NOTHING`,
);
const markView = db.prepare(
  "INSERT INTO rooms.view_marks (video_id, viewer, hour, region) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
);
/**
 * Rows written in the objects' SQLite per kind (inserted, updated or deleted: `changes`, as D1
 * counts them; index entries not counted, so a lower bound). SQLite-backed Durable Objects
 * bill rows written as D1 does, so a table moved into objects keeps its write bill.
 */
const objectRows = new Map<string, number>();
function objectWrite(label: string, statement: StatementSync, ...params: SQLInputValue[]) {
  const result = statement.run(...params);
  objectRows.set(label, (objectRows.get(label) ?? 0) + Number(result.changes));
  return result;
}
/** Durable Object requests per kind (not D1 statements): what moving a table into the rooms costs. */
const roomCalls = new Map<string, number>();
const roomCall = (label: string) => roomCalls.set(label, (roomCalls.get(label) ?? 0) + 1);

// --- the catalogue ---

const started = performance.now();
announceSmoke();
const N = {
  users: Math.max(50, Math.round(TARGET.users * s)),
  channels: Math.max(5, Math.round(TARGET.users * A.channelsPerUser * s)),
  videos: Math.max(20, Math.round(TARGET.videos * s)),
};
console.log(
  `sim:growth: scale 1/${denom}: ${N.users.toLocaleString()} users, ${N.channels.toLocaleString()} channels, ` +
    `${N.videos.toLocaleString()} videos; ${Math.round(TARGET.viewsPerDay * s).toLocaleString()} views a day (seed ${seed}); ${file}`,
);
const T0 = Date.UTC(2026, 0, 1);

db.exec("BEGIN");
const userIds: string[] = [];
const usernames = new Map<string, string>();
const paused = new Set<string>();
for (let i = 0; i < N.users; i++) {
  const id = newId();
  userIds.push(id);
  const name = `${pick(WORDS)}${pick(WORDS)}${i}`;
  usernames.set(id, name);
  const historyPaused = chance(A.historyPausedShare);
  if (historyPaused) paused.add(id);
  // accounts.ts createUser: a PBKDF2 hash as stored (algorithm$iterations$salt$hash).
  run(
    "users",
    `INSERT INTO users (id, email, username, password_hash, history_paused, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    id,
    `${name}@example.com`,
    name,
    `pbkdf2-sha256$100000$${hex(16)}$${hex(32)}`,
    historyPaused ? 1 : 0,
    T0 - int(0, 365) * DAY_MS,
  );
}
const channelIds: string[] = [];
const channelOwner: string[] = [];
const webhookChannels = new Set<number>();
for (let i = 0; i < N.channels; i++) {
  const id = newId();
  channelIds.push(id);
  channelOwner.push(userIds[i] as string);
  run(
    "channels",
    "INSERT INTO channels (id, owner_id, name, created_at) VALUES (?, ?, ?, ?)",
    id,
    userIds[i] as string,
    sentence(1, 3),
    T0,
  );
  if (chance(A.webhookChannelShare) || i === 0) {
    webhookChannels.add(i);
    // webhooks.ts insertEndpoint: the secret sealed (AES-GCM, base64).
    run(
      "webhook_endpoints",
      `INSERT INTO webhook_endpoints (id, user_id, url, events, secret_sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      newId(),
      userIds[i] as string,
      `https://hooks.example.com/${newId(24)}`,
      JSON.stringify(["video.ready", "comment.created", "comment.held"]),
      Buffer.from(hex(60), "hex").toString("base64"),
      T0 - DAY_MS,
      T0 - DAY_MS,
    );
  }
}
const channelOf = zipf(N.channels, A.channelZipf);
const videoIds: string[] = [];
const videoChannel: number[] = [];
const videoSeconds: number[] = [];
const CATEGORIES = ["music", "gaming", "education", "howto", "travel", "science", "sports", "news", "comedy", "film"];

/** A ready, public video and what processing leaves (videos, renditions, captions, transcode_jobs). */
function insertVideo(at: number, c: number): number {
  const id = newId();
  const seconds = Math.min(
    14_400,
    Math.max(15, Math.round(A.medianVideoSeconds * Math.exp(A.videoSecondsSigma * normal()))),
  );
  const idx = videoIds.length;
  videoIds.push(id);
  videoChannel.push(c);
  videoSeconds.push(seconds);
  const h = pick([720, 1080, 1080, 2160]);
  const thumbs = JSON.stringify({
    poster: `videos/${id}/thumbs/poster.jpg`,
    sprite: `videos/${id}/thumbs/sprite.jpg`,
    vtt: `videos/${id}/thumbs/storyboard.vtt`,
  });
  const info = JSON.stringify({
    codec: "h264",
    width: (h * 16) / 9,
    height: h,
    fps: 30,
    bitrate: 4_500_000,
    audio: "aac",
  });
  // Inserted as ready and public: the search triggers (0004, 0005, 0008, 0009, 0011) index it.
  run(
    "videos",
    `INSERT INTO videos (id, channel_id, owner_id, title, description, tags, category, visibility, status, progress,
       playable, source_key, duration_ms, width, height, created_at, published_at, source_info, thumbnails, language)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'public', 'ready', 100, 1, ?, ?, ?, ?, ?, ?, ?, ?, 'en')`,
    id,
    channelIds[c] as string,
    channelOwner[c] as string,
    sentence(3, 10),
    Array.from({ length: int(0, 4) }, () => `${sentence(6, 20)}.`).join(" "),
    JSON.stringify(Array.from({ length: int(0, 6) }, () => pick(WORDS))),
    pick(CATEGORIES),
    `uploads/${id}/source`,
    seconds * 1000,
    (h * 16) / 9,
    h,
    at,
    at,
    info,
    thumbs,
  );
  for (const r of [144, 240, 360, 480, 720, 1080].slice(0, A.renditionsPerVideo)) {
    run(
      "renditions",
      `INSERT INTO renditions (video_id, name, width, height, bandwidth, average_bandwidth, codecs, frame_rate, playlist, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 30, ?, ?)`,
      id,
      `${r}p`,
      Math.round((r * 16) / 9),
      r,
      r * 5000,
      r * 4000,
      "avc1.64001f,mp4a.40.2",
      `${r}p/index.m3u8`,
      at,
    );
  }
  run(
    "transcode_jobs",
    `INSERT INTO transcode_jobs (video_id, source_key, state, attempts, created_at, updated_at, dispatched_at, last_event_at)
     VALUES (?, ?, 'done', 1, ?, ?, ?, ?)`,
    id,
    `uploads/${id}/source`,
    at,
    at,
    at,
    at,
  );
  if (chance(A.captionedShare)) {
    // captions.ts saveTrack: the cues as a version in CAPTIONS (caption-cues.ts writeVersions),
    // then the track's row in DB naming it (migration 0023).
    const rev = newId(8); // drawn before the cues, as before: the seeded catalogue stays the same
    runCaptions(
      "CAPTIONS:caption_tracks",
      "INSERT INTO caption_tracks (video_id, language, created_at) VALUES (?, 'en', ?)",
      id,
      at,
    );
    // The key the database drew (AUTOINCREMENT), which the batch's cue statements name.
    const key = Number((capDb.prepare("SELECT last_insert_rowid() AS k").get() as { k: number }).k);
    for (let t = 0; t + A.secondsPerCue <= seconds; t += A.secondsPerCue) {
      runCaptions(
        "CAPTIONS:caption_cues",
        "INSERT INTO caption_cues (track, start_ms, end_ms, text) VALUES (?, ?, ?, ?)",
        key,
        Math.round(t * 1000),
        Math.round((t + A.secondsPerCue) * 1000),
        sentence(4, 12),
      );
    }
    run(
      "captions",
      `INSERT INTO captions (video_id, language, label, source, status, rev, cue_count, created_at, updated_at, cues_key)
       VALUES (?, 'en', 'English', 'upload', 'ready', ?, ?, ?, ?, ?)`,
      id,
      rev,
      Math.floor(seconds / A.secondsPerCue),
      at,
      at,
      key,
    );
  }
  return idx;
}
for (let i = 0; i < N.videos; i++) insertVideo(T0 - int(1, 365) * DAY_MS, channelOf());
const userOf = weighted(
  Array.from({ length: N.users }, () => Math.min(A.userActivityCap, Math.exp(A.userActivitySigma * normal()))),
);
for (const u of userIds) {
  const seen = new Set<number>();
  for (let k = 0; k < A.subscriptionsPerUser; k++) {
    const c = channelOf();
    if (seen.has(c)) continue;
    seen.add(c);
    // subscriptions.ts subscribe (the count trigger moves channels.subscriber_count).
    run(
      "subscriptions",
      "INSERT INTO subscriptions (user_id, channel_id, created_at) VALUES (?, ?, ?)",
      u,
      channelIds[c] as string,
      T0,
    );
  }
}
function addPlaylist(owner: string, kind: string, items: number) {
  const pid = newId();
  run(
    "playlists",
    "INSERT INTO playlists (id, owner_id, kind, title, visibility, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    pid,
    owner,
    kind,
    kind === "watch_later" ? "Watch later" : sentence(1, 4),
    kind === "watch_later" ? "private" : pick(["public", "unlisted", "private"]),
    T0,
    T0,
  );
  let rank = 1000;
  for (let k = 0; k < items; k++) {
    rank += int(1, 100);
    run(
      "playlist_items",
      "INSERT OR IGNORE INTO playlist_items (id, playlist_id, video_id, rank, added_at) VALUES (?, ?, ?, ?, ?)",
      newId(),
      pid,
      videoIds[int(0, videoIds.length - 1)] as string,
      `a${rank.toString(36)}`,
      T0,
    );
  }
}
for (const u of userIds) {
  if (chance(A.playlistsPerUser)) addPlaylist(u, "playlist", A.itemsPerPlaylist);
  if (chance(A.watchLaterShare)) addPlaylist(u, "watch_later", A.watchLaterItems);
}
const videoOf = zipf(N.videos, A.videoZipf);
const regionOf = zipf(REGIONS.length, 1.0);
const commentIds: string[][] = Array.from({ length: N.videos }, () => []);
function insertComment(v: number, user: string, at: number) {
  const id = newId();
  const parents = commentIds[v] as string[];
  const parent = parents.length && chance(A.replyShare) ? pick(parents) : null;
  // comments.ts insertComments (the room's tick batch, into COMMENTS): the row with its
  // channel and author's name, and the parent's reply count.
  runComments(
    "COMMENTS:comments",
    `INSERT INTO comments (id, video_id, channel_id, parent_id, user_id, username, content, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'published', ?) ON CONFLICT DO NOTHING`,
    id,
    videoIds[v] as string,
    channelIds[videoChannel[v] as number] as string,
    parent,
    user,
    usernames.get(user) as string,
    sentence(3, 30),
    at,
  );
  if (parent)
    runComments(
      "COMMENTS:comments",
      "UPDATE comments SET reply_count = reply_count + 1 WHERE id = ? AND changes() > 0",
      parent,
    );
  if (!parent) parents.push(id);
  return id;
}
for (let v = 0; v < N.videos; v++) {
  for (let k = 0; k < A.baseCommentsPerVideo; k++)
    insertComment(v, userIds[userOf()] as string, T0 - int(1, 300) * DAY_MS);
}
db.exec("COMMIT");
const catalogueSeconds = (performance.now() - started) / 1000;

// --- one day of activity ---

/** Share of a day's sessions starting in each UTC hour (a world audience: a broad evening peak). */
const HOURLY = Array.from({ length: 24 }, (_, h) => 1 + 0.6 * Math.cos(((h - 19) / 24) * 2 * Math.PI));
const hourOf = weighted(HOURLY);

interface Day {
  sessions: number;
  views: number;
  reports: number;
  /** Seconds watched in all sessions. */
  watched: number;
  likes: number;
  comments: number;
  shares: number;
  joins: number;
  uploads: number;
  flushes: number;
  notifications: number;
}

/**
 * The room's flush (video-room.ts alarm → storage/engagement.ts flushRoom): one UPDATE of the
 * video (counters, co-view total, active_at) and one upsert per pending day, in one batch.
 * Each kind of pending work waits at most so long: counters 2 s (LIMITS.flushAfterMs), rolled-up
 * watch time 10 min (LIMITS.rollUpFlushMs), co-views an hour (LIMITS.coViewFlushMs); a flush
 * takes everything pending. Here a room's due flush runs at its next call or at the next cron
 * step (every 5 minutes), whichever comes first.
 */
const FLUSH_MS = { counters: 2000, rollUp: 10 * 60_000, coViews: HOUR_MS } as const;
interface Pending {
  due: number;
  views: number;
  days: Map<number, { views: number; watched: number; likes: number; shares: number }>;
  /** The room's hour rows changed since its last flush: each gets its `flushed_*` updated by the flush. */
  hours: Set<string>;
}
const pendingOf = new Map<string, Pending>();
let flushes = 0;
function flush(videoId: string, p: Pending) {
  flushes++;
  // storage/engagement.ts flushRoom: one statement (the days' seconds watched into the video's
  // all-time sum; until migration 0018 each day also had its row in video_stats_daily).
  let watched = 0;
  for (const t of p.days.values()) watched += t.watched;
  run(
    "videos (room flushes)",
    "UPDATE videos SET view_count = view_count + ?, active_at = ?, watch_seconds = watch_seconds + ? WHERE id = ?",
    p.views,
    p.due,
    watched,
    videoId,
  );
  // room-hours.ts flushed(): one UPDATE of each hour row that moved on (objects' rows written).
  objectRows.set("VideoRoom: hours", (objectRows.get("VideoRoom: hours") ?? 0) + p.hours.size);
  pendingOf.delete(videoId);
}
/** Some work pending in `videoId`'s room at `at`, due within `wait`. */
function pend(videoId: string, at: number, wait: number): Pending {
  let p = pendingOf.get(videoId);
  if (p && p.due <= at) {
    flush(videoId, p);
    p = undefined;
  }
  if (!p) {
    p = { due: at + wait, views: 0, days: new Map(), hours: new Set() };
    pendingOf.set(videoId, p);
  } else p.due = Math.min(p.due, at + wait);
  return p;
}
function flushDue(now: number) {
  for (const [videoId, p] of pendingOf) if (p.due <= now) flush(videoId, p);
}

// durable-objects/room-hours.ts: a room's hours (LIMITS.markHours of them) and the ids of the events it counted (an hour).
const keepHour = db.prepare(
  `INSERT INTO rooms.hours (video_id, hour, region, views, watch_seconds, likes, comments, shares) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT DO UPDATE SET views = views + excluded.views, watch_seconds = watch_seconds + excluded.watch_seconds,
     likes = likes + excluded.likes, comments = comments + excluded.comments, shares = shares + excluded.shares`,
);
/**
 * queues/watch-events.ts → engagement.ts rollUpEvents → video-room.ts rollUp: one room call per
 * video of a queue batch (counted here per event: a batch of 100 at 3,800 events a second spans
 * about 26 ms, so it rarely holds two events of one video): the event's hour added to (one row
 * written), its day pending for the room's flush.
 */
function rollUp(
  e: {
    videoId: string;
    region: string;
    at: number;
    views: number;
    watched: number;
    likes: number;
    comments: number;
    shares: number;
  },
  call = "VideoRoom.rollUp (per watch event)",
) {
  roomCall(call);
  // The event's id is remembered in the room's memory only (room-hours.ts RecentIds): no row.
  const hour = Math.floor(e.at / HOUR_MS);
  objectWrite(
    "VideoRoom: hours",
    keepHour,
    e.videoId,
    hour,
    e.region,
    e.views,
    e.watched,
    e.likes,
    e.comments,
    e.shares,
  );
  const p = pend(e.videoId, e.at, FLUSH_MS.rollUp);
  p.hours.add(`${hour}:${e.region}`);
  const day = Math.floor(hour / 24);
  const d = p.days.get(day) ?? { views: 0, watched: 0, likes: 0, shares: 0 };
  d.views += e.views;
  d.watched += e.watched;
  d.likes += e.likes;
  d.shares += e.shares;
  p.days.set(day, d);
}

// durable-objects/co-views.ts: a room's pairs as log-counts, the top CO_VIEWS_KEPT kept (trimmed at 250).
const CO_VIEWS_KEPT = 200;
const CO_VIEWS_TRIM_AT = 250;
const coViewK = db.prepare("SELECT k FROM rooms.co_views WHERE video_id = ? AND other = ?");
const coViewPut = db.prepare(
  "INSERT INTO rooms.co_views (video_id, other, k) VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET k = excluded.k",
);
const coViewCount = db.prepare("SELECT count(*) AS n FROM rooms.co_views WHERE video_id = ?");
const coViewTrim = db.prepare(
  "DELETE FROM rooms.co_views WHERE video_id = ?1 AND other IN (SELECT other FROM rooms.co_views WHERE video_id = ?1 ORDER BY k LIMIT ?2)",
);
const addLogs = (a: number, b: number) => Math.max(a, b) + Math.log2(1 + 2 ** -Math.abs(a - b));
/** video-room.ts addCoViews → co-views.ts CoViewTable.add, then the room's flush of its total. */
function addCoViews(videoId: string, others: string[], at: number, eventId: string) {
  roomCall("VideoRoom.addCoViews (per counted view with a window)");
  void eventId; // remembered in the room's memory only (co-views.ts, RecentIds): no row
  const one = at / CO_VIEW_HALF_LIFE_MS;
  for (const other of others) {
    const row = coViewK.get(videoId, other) as { k: number } | undefined;
    objectWrite("VideoRoom: co-views", coViewPut, videoId, other, row ? addLogs(row.k, one) : one);
  }
  const { n } = coViewCount.get(videoId) as { n: number };
  if (n >= CO_VIEWS_TRIM_AT) objectWrite("VideoRoom: co-views", coViewTrim, videoId, n - CO_VIEWS_KEPT);
  pend(videoId, at, FLUSH_MS.coViews);
}

/**
 * storage/signals.ts recordViewerWatch → viewer-windows.ts record: one call to the viewer's
 * shard, which reads the window (when the video is new to it), writes the watch and trims the
 * viewer's window; then a co-view call to the watched video's room and to each room of the window.
 */
let watchEvents = 0;
function recordViewerWatch(viewer: string, videoId: string, at: number) {
  roomCall("ViewerWindows.record (per counted view)");
  // The watch event's id, as long as newId makes them (16), kept in the window's row.
  const eventId = (watchEvents++).toString(36).padStart(16, "0");
  const since = at - CO_VIEW_WINDOW_MS;
  const row = windowRow.get(viewer, videoId) as { watched_at: number } | undefined;
  let window: string[] = [];
  if (row && row.watched_at >= since) {
    objectWrite("ViewerWindows: watches", windowTouch, at, viewer, videoId);
  } else {
    window = (
      windowOthers.all(viewer, videoId, since, at + CO_VIEW_WINDOW_MS, RECENT_WATCHES_PER_VIEWER) as {
        video_id: string;
      }[]
    ).map((r) => r.video_id);
    objectWrite("ViewerWindows: watches", windowPut, viewer, videoId, at, eventId);
    objectWrite("ViewerWindows: watches", windowTrim, viewer, since, RECENT_WATCHES_PER_VIEWER);
  }
  if (window.length) {
    // The rooms keep the id in memory only; drawn from the generator as before the windows
    // moved, so that the simulated days are the same as earlier runs' (the side by side).
    const roomsEventId = newId(10);
    addCoViews(videoId, window, at, roomsEventId);
    for (const other of window) addCoViews(other, [videoId], at, roomsEventId);
  }
}

/** webhook-events.ts → webhooks.ts emitEvent, recordEvent, fanOut, markFannedOut; one attempt that succeeds. */
function webhook(ownerId: string, type: string, payload: object, at: number) {
  const eventId = hex(16);
  const made = run(
    "webhook_events",
    `INSERT INTO webhook_events (id, user_id, type, payload, endpoint_id, created_at)
     SELECT ?1, ?2, ?3, ?4, NULL, ?5 WHERE EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.user_id = ?2 AND e.enabled = 1
       AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = ?3)) ON CONFLICT (id) DO NOTHING`,
    eventId,
    ownerId,
    type,
    JSON.stringify({ type, timestamp: new Date(at).toISOString(), data: payload }),
    at,
  );
  if (!made) return;
  run(
    "webhook_deliveries",
    `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, type, status, attempts, next_attempt_at, created_at, updated_at)
     SELECT lower(hex(randomblob(12))), e.id, ev.id, ev.type, 'pending', 0, ?2, ?2, ?2
     FROM webhook_events ev JOIN webhook_endpoints e ON e.user_id = ev.user_id
     WHERE ev.id = ?1 AND e.enabled = 1 AND e.created_at <= ev.created_at
       AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE value = ev.type)
     ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
    eventId,
    at,
  );
  run("webhook_events", "UPDATE webhook_events SET fanned_out_at = ? WHERE id = ?", at, eventId);
  for (const d of all<{ id: string }>("SELECT id FROM webhook_deliveries WHERE event_id = ?", eventId)) {
    run(
      "webhook_attempts",
      `INSERT INTO webhook_attempts (delivery_id, attempt, at, duration_ms, response_status, response_body, error) VALUES (?, 1, ?, ?, 200, 'ok', NULL)`,
      d.id,
      at + 500,
      int(40, 400),
    );
    run(
      "webhook_deliveries",
      "UPDATE webhook_deliveries SET attempts = 1, status = 'succeeded', response_status = 200, next_attempt_at = NULL, updated_at = ? WHERE id = ?",
      at + 500,
      d.id,
    );
  }
}

/**
 * The 5-minute cron's jobs that delete rows: webhook events past 30 days; and on the hour, the
 * windows' shards' alarms (viewer-windows.ts `alarm`: not D1, one request per shard).
 */
function cron(now: number) {
  if (now % WINDOW_PRUNE_EVERY_MS === 0) {
    roomCalls.set(
      "ViewerWindows.alarm (hourly per shard)",
      (roomCalls.get("ViewerWindows.alarm (hourly per shard)") ?? 0) + WINDOW_SHARDS * s,
    );
    objectWrite("ViewerWindows: watches", windowPrune, now - CO_VIEW_WINDOW_MS);
  }
  run("cron: prune webhook_events", "DELETE FROM webhook_events WHERE created_at < ?", now - 30 * DAY_MS);
  // Each room's alarm flushes what is due and expires its marks and hours past LIMITS.markHours
  // (the expiry is not D1: no statement counted).
  flushDue(now);
  const keepFrom = Math.floor(now / HOUR_MS) - MARK_HOURS + 1;
  objectWrite("VideoRoom: view marks", db.prepare("DELETE FROM rooms.view_marks WHERE hour < ?"), keepFrom);
  objectWrite("VideoRoom: hours", db.prepare("DELETE FROM rooms.hours WHERE hour < ?"), keepFrom);
}

/**
 * trending.ts replaceScores/dropStale, as the cron leaves them at the end of a day: (video,
 * region) with ≥ 3 viewers in 48 h (the rooms' `viewers`, one call per candidate video).
 */
function trending(now: number) {
  const fromHour = Math.floor((now - 48 * HOUR_MS) / HOUR_MS);
  run("trending_scores", "DELETE FROM trending_scores");
  run(
    "trending_scores",
    `INSERT INTO trending_scores (video_id, region, channel_id, category, score, rank_key, viewers, last_hour, computed_at)
     SELECT m.video_id, m.region, v.channel_id, v.category, count(DISTINCT m.viewer) * 1.0, count(DISTINCT m.viewer) * 1.5,
            count(DISTINCT m.viewer), max(m.hour), ?2
     FROM rooms.view_marks m JOIN videos v ON v.id = m.video_id WHERE m.hour >= ?1 GROUP BY m.video_id, m.region
     HAVING count(DISTINCT m.viewer) >= 3
     UNION ALL
     SELECT m.video_id, 'global', v.channel_id, v.category, count(DISTINCT m.viewer) * 1.0, count(DISTINCT m.viewer) * 1.5,
            count(DISTINCT m.viewer), max(m.hour), ?2
     FROM rooms.view_marks m JOIN videos v ON v.id = m.video_id WHERE m.hour >= ?1 GROUP BY m.video_id
     HAVING count(DISTINCT m.viewer) >= 3`,
    fromHour,
    now,
  );
}

function simulateDay(dayStart: number): Day {
  const day: Day = {
    sessions: 0,
    views: 0,
    reports: 0,
    watched: 0,
    likes: 0,
    comments: 0,
    shares: 0,
    joins: 0,
    uploads: 0,
    flushes: 0,
    notifications: 0,
  };
  const flushesBefore = flushes;
  const targetViews = Math.max(20, Math.round(TARGET.viewsPerDay * s));
  // Sessions in time order: starts drawn by hour, then sorted.
  const expectedSessions = Math.ceil(targetViews / (1 - A.bounceShare));
  const starts = Float64Array.from(
    { length: Math.ceil(expectedSessions * 1.05) },
    () => dayStart + hourOf() * HOUR_MS + rand() * HOUR_MS,
  ).sort();
  const anonPool = Math.max(1, Math.round(((1 - A.signedInShare) * expectedSessions) / A.anonSessionsPerViewer));
  const anonDay = newId(6); // anonymous ids are daily: a new pool each day
  const expectedUploads = A.uploadsPerDay * s;
  const uploads = Math.max(1, Math.floor(expectedUploads) + (chance(expectedUploads % 1) ? 1 : 0));
  const uploadTimes = Float64Array.from({ length: uploads }, () => dayStart + rand() * DAY_MS).sort();
  let nextUpload = 0;
  let nextCron = dayStart + CRON_MS;
  db.exec("BEGIN");
  for (const start of starts) {
    if (day.views >= targetViews) break;
    while (start >= nextCron) {
      cron(nextCron);
      nextCron += CRON_MS;
    }
    while (nextUpload < uploadTimes.length && (uploadTimes[nextUpload] as number) <= start) {
      upload(uploadTimes[nextUpload++] as number, day);
    }
    day.sessions++;
    const v = videoOf();
    const videoId = videoIds[v] as string;
    const duration = videoSeconds[v] as number;
    const region = chance(0.03) ? UNKNOWN_REGION : (REGIONS[regionOf()] as string);
    const signedIn = chance(A.signedInShare);
    const user = signedIn ? (userIds[userOf()] as string) : undefined;
    const viewer = user ? `u:${user}` : `a:${anonDay}${String(int(0, anonPool - 1)).padStart(16, "0")}`;
    // The live room: every watch page joins; a signed-in viewer's join is remembered for a day
    // in their object (user-history.ts joinedRoom: the upsert, and the user's joins older than a day dropped).
    day.joins++;
    if (user) {
      roomCall("UserHistory.joinedRoom (per signed-in room join)");
      objectWrite("UserHistory: rooms joined", joinRoom, user, videoId, start);
      objectWrite("UserHistory: rooms joined", forgetRooms, user, start - ROOM_MEMORY_MS);
    }
    const watched = chance(A.bounceShare)
      ? int(1, 9)
      : Math.min(duration, Math.max(10, Math.round(duration * rand() ** A.watchedFractionPower)));
    day.watched += watched;
    const threshold = Math.min(10, duration / 2);
    const positions: number[] = [];
    for (let p = A.reportSeconds.untilView; p <= watched; ) {
      positions.push(p);
      p += p >= threshold ? A.reportSeconds.afterView : A.reportSeconds.untilView;
    }
    if (positions[positions.length - 1] !== watched) positions.push(watched);
    let previous: number | undefined;
    let cookieHour: number | undefined;
    let counted = false;
    for (const position of positions) {
      const at = Math.round(start + position * 1000);
      day.reports++;
      // engagement.ts reportPosition: history in the user's object (unless paused), the view mark
      // in the video's room (unless the history says this hour's mark was made), the watch event.
      let view = false;
      const hour = Math.floor(at / HOUR_MS);
      const writing = user !== undefined && !paused.has(user);
      let marked = false;
      if (user) {
        // UserHistory.report: the last report of the video (its mark's hour), this one kept unless paused.
        roomCall("UserHistory.report (per signed-in report)");
        const last = lastReport.get(user, videoId) as { mark_hour: number | null } | undefined;
        marked = last?.mark_hour === hour;
        if (writing) {
          objectWrite(
            "UserHistory: entries",
            keepReport,
            user,
            videoId,
            position,
            duration,
            Math.min(100, Math.round((position / duration) * 1000) / 10),
            at,
          );
        }
      }
      // An anonymous player's cookie says which hour the room marked for it (routes/videos.ts).
      if (!user) marked = cookieHour === hour;
      if (position >= threshold && !marked) {
        roomCall("VideoRoom.markView (per eligible report)");
        view = Number(objectWrite("VideoRoom: view marks", markView, videoId, viewer, hour, region).changes) === 1;
        cookieHour = hour;
        if (writing) {
          roomCall("UserHistory.marked (per marked hour)");
          objectWrite("UserHistory: entries", keepMarkHour, hour, user ?? "", videoId);
        }
      }
      const seconds = previous === undefined ? Math.min(position, 10) : Math.max(0, Math.min(position - previous, 45));
      previous = position;
      if (view) {
        day.views++;
        counted = true;
        // video-room.ts markView: the counter, and the view into its hour and day (room-hours.ts addView).
        const p = pend(videoId, at, FLUSH_MS.counters);
        p.views++;
        objectWrite("VideoRoom: hours", keepHour, videoId, hour, region, 1, 0, 0, 0, 0);
        const d = p.days.get(Math.floor(hour / 24)) ?? { views: 0, watched: 0, likes: 0, shares: 0 };
        d.views++;
        p.days.set(Math.floor(hour / 24), d);
      }
      // The report's event: its view was counted by the room already (engagement.ts hourEventOf).
      rollUp({
        videoId,
        region,
        at,
        views: 0,
        watched: Math.round(seconds * 10) / 10,
        likes: 0,
        comments: 0,
        shares: 0,
      });
      if (view) recordViewerWatch(viewer, videoId, at);
    }
    const end = Math.round(start + watched * 1000);
    if (counted && user && chance(A.likeShare)) {
      day.likes++;
      // engagement.ts like → the user's object (user-history.ts like: the previous value read,
      // this one kept), the room's counters (in memory until the flush) and a `like` event.
      roomCall("UserHistory.like (per like)");
      objectWrite("UserHistory: likes", keepLike, user, videoId, end);
      rollUp({ videoId, region, at: end, views: 0, watched: 0, likes: 1, comments: 0, shares: 0 });
    }
    if (counted && user && chance(A.commentShare)) {
      day.comments++;
      const id = insertComment(v, user, end);
      // The room counts the comment into its hour as it accepts it (video-room.ts addComment):
      // one room call a comment, and no `comment` watch event.
      rollUp(
        { videoId, region, at: end, views: 0, watched: 0, likes: 0, comments: 1, shares: 0 },
        "VideoRoom.addComment (per comment, its hour with it)",
      );
      webhook(
        channelOwner[videoChannel[v] as number] as string,
        "comment.created",
        { comment_id: id, video_id: videoId, content: "…" },
        end,
      );
    }
    if (counted && chance(A.shareShare)) {
      day.shares++;
      rollUp({ videoId, region, at: end, views: 0, watched: 0, likes: 0, comments: 0, shares: 1 });
    }
  }
  while (nextUpload < uploadTimes.length) upload(uploadTimes[nextUpload++] as number, day);
  for (; nextCron <= dayStart + DAY_MS; nextCron += CRON_MS) cron(nextCron);
  trending(dayStart + DAY_MS);
  db.exec("COMMIT");
  check(day.views >= targetViews, `only ${day.views} of ${targetViews} views were counted: more sessions needed`);
  day.flushes = flushes - flushesBefore;
  return day;
}

/** An upload that becomes a ready video: uploads.ts, processing, notifications.ts fanOutPage, the video.ready webhook. */
function upload(at: number, day: Day) {
  day.uploads++;
  // Any channel: a channel's upload rate is not its subscriber count (were both Zipf, the few
  // biggest channels would upload hundreds a day to millions each, and notifications would grow
  // with the square of the scale).
  const v = insertVideo(at, int(0, N.channels - 1));
  const videoId = videoIds[v] as string;
  const c = videoChannel[v] as number;
  const uploadId = newId();
  run(
    "uploads",
    `INSERT INTO uploads (id, video_id, owner_id, protocol, r2_upload_id, source_key, filename, content_type, size, part_size,
       part_count, status, expires_at, created_at, completed_at) VALUES (?, ?, ?, 'chunked', ?, ?, ?, 'video/mp4', ?, 8388608, ?, 'complete', ?, ?, ?)`,
    uploadId,
    videoId,
    channelOwner[c] as string,
    hex(40),
    `uploads/${videoId}/source`,
    `${words(3).replaceAll(" ", "_")}.mp4`,
    A.partsPerUpload * 8388608,
    A.partsPerUpload,
    at + DAY_MS,
    at - 600_000,
    at,
  );
  for (let p = 1; p <= A.partsPerUpload; p++) {
    run(
      "upload_parts",
      "INSERT INTO upload_parts (upload_id, part, size, etag, created_at) VALUES (?, ?, 8388608, ?, ?)",
      uploadId,
      p,
      `"${hex(16)}"`,
      at,
    );
  }
  // notifications.ts fanOutPage: a notice into each subscriber's inbox object (UserInbox.deliver), not D1.
  const delivered = Number(
    objectWrite(
      "UserInbox: notices",
      deliverNotices,
      videoId,
      `New from ${sentence(1, 3)}: ${sentence(3, 10)}`,
      channelIds[c] as string,
      at,
    ).changes,
  );
  for (let i = 0; i < delivered; i++) roomCall("UserInbox.deliver (per subscriber per upload)");
  day.notifications += delivered;
  webhook(
    channelOwner[c] as string,
    "video.ready",
    { video_id: videoId, title: "…", watch_url: `https://example.com/watch/${videoId}` },
    at,
  );
}

// --- measuring ---

interface Size {
  bytes: number;
  payload: number;
}
/** Bytes (pages × 4 KiB) of each table and index, and which table an index or FTS shadow table belongs to. */
/** The D1 databases measured: the core (names as they are), CAPTIONS and COMMENTS (names prefixed). */
const databases: [DatabaseSync, string][] = [
  [db, ""],
  [capDb, "CAPTIONS:"],
  [comDb, "COMMENTS:"],
];
const allOf = <T>(on: DatabaseSync, sql: string) => on.prepare(sql).all() as T[];
function sizes(): Map<string, Size> {
  return new Map(
    databases.flatMap(([on, prefix]) =>
      allOf<{ name: string; bytes: number; payload: number }>(
        on,
        "SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat('main') GROUP BY name",
      ).map((r): [string, Size] => [prefix + r.name, { bytes: r.bytes, payload: r.payload }]),
    ),
  );
}
const owner = new Map<string, string>();
const virtuals: string[] = [];
const tables: string[] = [];
/** Each reported table's database and its own name there. */
const homeOf = new Map<string, [DatabaseSync, string]>();
for (const [on, prefix] of databases) {
  for (const r of allOf<{ name: string; tbl_name: string }>(on, "SELECT name, tbl_name FROM main.sqlite_master")) {
    owner.set(prefix + r.name, prefix + r.tbl_name);
  }
  // FTS5 shadow tables (x_data, x_idx, x_docsize, x_config, x_content) belong to their virtual table.
  const own = allOf<{ name: string }>(
    on,
    "SELECT name FROM main.sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
  ).map((r) => prefix + r.name);
  virtuals.push(...own);
  for (const name of owner.keys()) {
    const v = own.find((t) => name.startsWith(`${t}_`) && /_(data|idx|docsize|config|content)$/.test(name));
    if (v) owner.set(name, v);
  }
  for (const { name } of allOf<{ name: string }>(
    on,
    "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> 'd1_migrations'",
  )) {
    if (owner.get(prefix + name) !== prefix + name) continue;
    tables.push(prefix + name);
    homeOf.set(prefix + name, [on, name]);
  }
}
function rowCounts(): Map<string, number> {
  return new Map(
    [...homeOf].map(([t, [on, name]]) => [
      t,
      (on.prepare(`SELECT count(*) AS n FROM main."${name}"`).get() as { n: number }).n,
    ]),
  );
}
function perTable(sz: Map<string, Size>) {
  const total = new Map<string, { table: number; indexes: number; payload: number }>();
  for (const [name, size] of sz) {
    const t = owner.get(name) ?? name;
    const e = total.get(t) ?? { table: 0, indexes: 0, payload: 0 };
    if (name === t || virtuals.includes(t)) e.table += size.bytes;
    else e.indexes += size.bytes;
    e.payload += size.payload;
    total.set(t, e);
  }
  return total;
}
/** Bytes (pages in use) of an attached database standing in for Durable Objects' SQLite. */
const objectBytes = (schema: "rooms" | "users" | "windows", table: string) =>
  (
    db
      .prepare(
        `SELECT coalesce(sum(pgsize), 0) AS n FROM dbstat('${schema}') WHERE name = ?1 OR name LIKE ?1 || '\\_%' ESCAPE '\\'`,
      )
      .get(table) as { n: number }
  ).n;
/** The core database's file, and the captions database's: pages in use or free. */
const pageBytes = (on = db) => {
  const { n } = on.prepare("SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()").get() as {
    n: number;
  };
  return n;
};

console.log(`catalogue written in ${catalogueSeconds.toFixed(1)} s; ${warmupDays} warm-up days ...`);
const t1 = performance.now();
for (let d = 0; d < warmupDays; d++) simulateDay(T0 + d * DAY_MS);
console.log(`warm-up in ${((performance.now() - t1) / 1000).toFixed(1)} s; the measured day ...`);
const opsBefore = new Map([...ops].map(([k, v]) => [k, { ...v }]));
const roomCallsBefore = new Map(roomCalls);
const objectRowsBefore = new Map(objectRows);
const historyBytesBefore = objectBytes("users", "history");
const pairBytesBefore = objectBytes("rooms", "co_views");
const inboxBytesBefore = objectBytes("users", "inbox");
const likeBytesBefore = objectBytes("users", "likes");
const before = perTable(sizes());
const rowsBefore = rowCounts();
const fileBefore = pageBytes();
const capFileBefore = pageBytes(capDb);
const comFileBefore = pageBytes(comDb);
const t2 = performance.now();
const day = simulateDay(T0 + warmupDays * DAY_MS);
const daySeconds = (performance.now() - t2) / 1000;
const after = perTable(sizes());
const rowsAfter = rowCounts();
const fileAfter = pageBytes();
const capFileAfter = pageBytes(capDb);
const comFileAfter = pageBytes(comDb);

// --- retention, from the code: what deletes each table's rows ---

type Retention =
  | { kind: "catalogue"; driver: string }
  | { kind: "forever"; driver: string }
  | { kind: "window"; days: number; driver: string }
  | { kind: "bounded"; driver: string };
const RETENTION: Record<string, Retention> = {
  users: { kind: "catalogue", driver: "users (10M)" },
  channels: { kind: "catalogue", driver: "channels (100k)" },
  videos: { kind: "catalogue", driver: "videos (1M)" },
  renditions: { kind: "catalogue", driver: "5 per video" },
  transcode_jobs: { kind: "catalogue", driver: "1 per video" },
  captions: { kind: "catalogue", driver: "tracks (30% of videos)" },
  "CAPTIONS:caption_tracks": { kind: "catalogue", driver: "1 per saved track version (CAPTIONS)" },
  "CAPTIONS:caption_cues": { kind: "catalogue", driver: "cues (1 per 3.5 s of captioned video; CAPTIONS)" },
  "CAPTIONS:transcript_search": { kind: "catalogue", driver: "FTS5 over every cue (CAPTIONS)" },
  search_documents: { kind: "catalogue", driver: "1 per listable video" },
  search_filters: { kind: "catalogue", driver: "1 per listable video" },
  video_search: { kind: "catalogue", driver: "FTS5 over titles etc." },
  video_words: { kind: "catalogue", driver: "FTS5 vocabulary" },
  search_words: { kind: "catalogue", driver: "cron vocabulary (not simulated)" },
  search_word_trigrams: { kind: "catalogue", driver: "cron vocabulary (not simulated)" },
  subscriptions: { kind: "catalogue", driver: "5 per user" },
  playlists: { kind: "catalogue", driver: "0.3 per user" },
  playlist_items: { kind: "catalogue", driver: "items" },
  webhook_endpoints: { kind: "catalogue", driver: "1% of channels" },
  uploads: { kind: "forever", driver: "1 per upload (never deleted once complete)" },
  upload_parts: { kind: "window", days: 7, driver: "parts per upload; a completed upload's for 7 days" },
  notifications: { kind: "forever", driver: "rare notices (ready, captions, moderation); new-video ones in inboxes" },
  "COMMENTS:comments": { kind: "forever", driver: "comments (COMMENTS)" },
  webhook_events: { kind: "window", days: 30, driver: "events for endpoints; 30 days" },
  webhook_deliveries: { kind: "window", days: 30, driver: "1 per event × endpoint; 30 days" },
  webhook_attempts: { kind: "window", days: 30, driver: "attempts; 30 days" },
  trending_scores: { kind: "bounded", driver: "(video, region) trending now" },
};

const MB = 1e6;
const fmtMB = (b: number) => (b / MB).toLocaleString("en-US", { maximumFractionDigits: b / MB < 10 ? 1 : 0 });
const fmtGB = (b: number) => (b / 1e9).toLocaleString("en-US", { maximumFractionDigits: 1 });

interface Line {
  table: string;
  rows: number;
  rowsAdded: number;
  bytes: number;
  bytesPerRow: number;
  growthPerDay: number;
  year: number;
  retention: Retention | undefined;
}
const lines: Line[] = [];
for (const t of tables) {
  const a = after.get(t) ?? { table: 0, indexes: 0, payload: 0 };
  const b = before.get(t) ?? { table: 0, indexes: 0, payload: 0 };
  const rows = rowsAfter.get(t) ?? 0;
  const rowsAdded = rows - (rowsBefore.get(t) ?? 0);
  const bytes = a.table + a.indexes;
  const grown = bytes - (b.table + b.indexes);
  const bytesPerRow = rows ? bytes / rows : 0;
  const growthPerDay = grown / s;
  const retention = RETENTION[t];
  const full = bytes / s;
  // A year from now: tables that only grow, and windows no longer than the warm-up (at their
  // steady state on the measured day, so what they still grow is for good), grow by the measured
  // day every day; longer windows grow for their length, then by what the prune cannot keep up with.
  let year = full;
  const perDay = Math.max(0, growthPerDay);
  if (retention?.kind === "forever" || (retention?.kind === "window" && retention.days <= warmupDays))
    year = full + 364 * perDay;
  else if (retention?.kind === "window") {
    year = full + Math.min(364, retention.days - warmupDays) * perDay;
  }
  lines.push({ table: t, rows, rowsAdded, bytes, bytesPerRow, growthPerDay, year, retention });
}
lines.sort((x, y) => y.growthPerDay - x.growthPerDay || y.year - x.year);

const scaled = (n: number) => Math.round(n / s).toLocaleString("en-US");
console.log(
  `\nthe measured day in ${daySeconds.toFixed(1)} s: ${day.sessions} sessions, ${day.views} views, ${day.reports} position reports, ` +
    `${day.likes} likes, ${day.comments} comments, ${day.shares} shares, ${day.joins} room joins, ${day.uploads} uploads ` +
    `(${day.notifications} notifications), ${day.flushes} counter flushes`,
);
console.log(
  `at full scale a day is: ${scaled(day.sessions)} sessions, ${scaled(day.views)} views, ${scaled(day.reports)} position reports ` +
    `(${(day.reports / day.views).toFixed(1)} per view; ${(day.watched / day.views / 60).toFixed(1)} min watched per view), ${scaled(day.likes)} likes, ${scaled(day.comments)} comments, ` +
    `${scaled(day.uploads)} uploads, ${scaled(day.notifications)} notifications, ${scaled(day.flushes)} counter flushes`,
);

const header = [
  "table (with its indexes)",
  "rows now",
  "rows +day",
  "B/row",
  "MB/day @10M",
  "year GB",
  "goal",
  "growth driver / retention",
];
const body = lines
  // Empty tables only when they say something (a table drained into objects), not every page or two.
  .filter((l) => l.rows > 0 || l.bytes > 4096 * 2 || l.retention)
  .map((l) => [
    l.table,
    scaled(l.rows),
    l.rowsAdded >= 0 ? `+${scaled(l.rowsAdded)}` : `-${scaled(-l.rowsAdded)}`,
    l.rows ? l.bytesPerRow.toFixed(0) : "-",
    fmtMB(l.growthPerDay),
    fmtGB(l.year),
    l.growthPerDay > GOAL_BYTES_PER_DAY ? "FAIL" : "ok",
    l.retention ? `${l.retention.driver}` : "?",
  ]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] as string).length)));
const fmtRow = (r: string[]) =>
  r
    .map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
    .join("  ");
console.log(`\n${fmtRow(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}`);
for (const r of body) console.log(fmtRow(r));

// Each D1 database as built: the core, the captions database since migration 0023, the
// comments database since 0026.
for (const [name, growth, inIt] of [
  ["DB, the core", (fileAfter - fileBefore) / s, (l: Line) => !/^(CAPTIONS|COMMENTS):/.test(l.table)],
  ["CAPTIONS", (capFileAfter - capFileBefore) / s, (l: Line) => l.table.startsWith("CAPTIONS:")],
  ["COMMENTS", (comFileAfter - comFileBefore) / s, (l: Line) => l.table.startsWith("COMMENTS:")],
] as const) {
  const own = lines.filter(inIt);
  const year = own.reduce((sum, l) => sum + l.year, 0);
  const now = own.reduce((sum, l) => sum + l.bytes, 0) / s;
  console.log(
    `\nD1 database ${name}: ${fmtGB(now)} GB at 1M videos / 10M users after the simulated days; grows ${fmtMB(growth)} MB a day ` +
      `(file pages, freed pages reused) at 10M views a day; about ${fmtGB(year)} GB after a year (D1's limit: 10 GB)`,
  );
}
const totalYear = lines.reduce((sum, l) => sum + l.year, 0);
console.log(`the three together after a year: ${fmtGB(totalYear)} GB (one database before migration 0023)`);

// The catalogue's split as docs/capacity.md plans it (CAPTIONS and COMMENTS built, the users' lists not): which
// database each table lives or would live in, and what each would hold after a year at the
// measured rates.
{
  const planned: Record<string, string> = {
    "CAPTIONS:caption_tracks": "CAPTIONS (built)",
    "CAPTIONS:caption_cues": "CAPTIONS (built)",
    "CAPTIONS:transcript_search": "CAPTIONS (built)",
    "COMMENTS:comments": "COMMENTS (built)",
    subscriptions: "USERS' LISTS (by user)",
    playlist_items: "USERS' LISTS (by user)",
  };
  const homes = new Map<string, { year: number; perDay: number; tables: string[] }>();
  for (const l of lines) {
    const home = planned[l.table] ?? "DB (the core, with read replicas)";
    const h = homes.get(home) ?? { year: 0, perDay: 0, tables: [] };
    h.year += l.year;
    // What keeps growing after the year: not a window's rows (pruned) nor a bounded table's.
    const lasting = l.retention?.kind === "window" || l.retention?.kind === "bounded" ? 0 : l.growthPerDay;
    h.perDay += Math.max(0, lasting);
    if (l.year >= 0.05e9) h.tables.push(l.table);
    homes.set(home, h);
  }
  console.log(
    "\nthe catalogue split as planned (docs/capacity.md; CAPTIONS and COMMENTS built, the users' lists not), each database after a year:",
  );
  for (const [home, h] of [...homes].sort((a, b) => b[1].year - a[1].year)) {
    const room =
      h.year > LIMIT_BYTES
        ? "over D1's 10 GB"
        : h.perDay > 0
          ? `10 GB in about ${((LIMIT_BYTES - h.year) / h.perDay / 365 + 1).toFixed(1)} years`
          : "not growing";
    console.log(
      `  ${home.padEnd(36)} ${fmtGB(h.year).padStart(5)} GB  (+${fmtMB(h.perDay)} MB a day; ${room}): ${h.tables.join(", ")}`,
    );
  }
  console.log("  (new subscriptions and playlist items are not simulated: the users' lists grow with users' actions)");
}

// D1 statements and rows changed per action, at full scale (billing: rows written, incl. index entries).
console.log("\nD1 statements and rows changed on the measured day, at 10M views a day (per view = / views):");
const opLines = [...ops]
  .map(([k, v]) => {
    const b = opsBefore.get(k) ?? { statements: 0, changes: 0 };
    return { k, statements: v.statements - b.statements, changes: v.changes - b.changes };
  })
  .filter((o) => o.statements > 0)
  .sort((x, y) => y.statements - x.statements);
for (const o of opLines) {
  console.log(
    `  ${o.k.padEnd(36)} ${scaled(o.statements).padStart(14)} statements ${scaled(o.changes).padStart(14)} rows  ` +
      `(${(o.statements / day.views).toFixed(2)} statements, ${(o.changes / day.views).toFixed(2)} rows per view)`,
  );
}
const statementsPerDay = opLines.reduce((sum, o) => sum + o.statements, 0) / s;
console.log(
  `  all writes: ${Math.round(statementsPerDay).toLocaleString("en-US")} statements a day = ${Math.round(statementsPerDay / 86_400).toLocaleString("en-US")} a second on average ` +
    `(one D1 database runs one query at a time: ~1,000 a second at 1 ms each)`,
);

// What moved out of D1 into Durable Objects' own SQLite: its size and the requests it costs.
{
  const marks = (db.prepare("SELECT count(*) AS n FROM rooms.view_marks").get() as { n: number }).n;
  const hottest = (
    db.prepare("SELECT count(*) AS n FROM rooms.view_marks GROUP BY video_id ORDER BY n DESC LIMIT 1").get() as
      | { n: number }
      | undefined
  )?.n;
  const markBytes = objectBytes("rooms", "view_marks");
  const hourRows = (db.prepare("SELECT count(*) AS n FROM rooms.hours").get() as { n: number }).n;
  const hourBytes = objectBytes("rooms", "hours");
  const entries = (db.prepare("SELECT count(*) AS n FROM users.history").get() as { n: number }).n;
  const largest = (
    db.prepare("SELECT count(*) AS n FROM users.history GROUP BY user_id ORDER BY n DESC LIMIT 1").get() as
      | { n: number }
      | undefined
  )?.n;
  const historyBytes = objectBytes("users", "history");
  const inboxBytes = objectBytes("users", "inbox");
  const notices = (db.prepare("SELECT count(*) AS n FROM users.inbox").get() as { n: number }).n;
  const pairs = (db.prepare("SELECT count(*) AS n FROM rooms.co_views").get() as { n: number }).n;
  const fullest = (
    db.prepare("SELECT count(*) AS n FROM rooms.co_views GROUP BY video_id ORDER BY n DESC LIMIT 1").get() as
      | { n: number }
      | undefined
  )?.n;
  const pairBytes = objectBytes("rooms", "co_views");
  const joins = (db.prepare("SELECT count(*) AS n FROM users.rooms").get() as { n: number }).n;
  const likes = (db.prepare("SELECT count(*) AS n FROM users.likes").get() as { n: number }).n;
  const likeBytes = objectBytes("users", "likes");
  const joinBytes = objectBytes("users", "rooms");
  const windowWatches = (db.prepare("SELECT count(*) AS n FROM windows.watches").get() as { n: number }).n;
  const windowBytes = objectBytes("windows", "watches");
  console.log(
    "\nDurable Objects (each video's room, each user's history and inbox, the viewers' windows' shards, their own SQLite; not D1):",
  );
  console.log(
    `  view marks standing (${MARK_HOURS} h): ${scaled(marks)} at full scale, ${marks ? Math.round(markBytes / marks) : 0} B a mark ` +
      `(with the video id rooms do not store), ${fmtGB(markBytes / s)} GB over every room; the busiest room here holds ${(hottest ?? 0).toLocaleString("en-US")}`,
  );
  console.log(
    `  hours standing (${MARK_HOURS} h): ${scaled(hourRows)} (video, hour, region) rows at full scale, ` +
      `${hourRows ? Math.round(hourBytes / hourRows) : 0} B a row (with the video id rooms do not store), ${fmtGB(hourBytes / s)} GB over every room`,
  );
  console.log(
    `  co-views: ${scaled(pairs)} pairs at full scale (three days), ${pairs ? Math.round(pairBytes / pairs) : 0} B a pair ` +
      `(with the video id rooms do not store), ${fmtGB(pairBytes / s)} GB over every room, +${fmtMB((pairBytes - pairBytesBefore) / s)} MB on the measured day; ` +
      `each room keeps at most ${CO_VIEWS_KEPT}, the fullest here holds ${(fullest ?? 0).toLocaleString("en-US")}`,
  );
  console.log(
    `  viewers' windows (24 h): ${scaled(windowWatches)} watches standing at full scale, ` +
      `${windowWatches ? Math.round(windowBytes / windowWatches) : 0} B a watch, ${fmtGB(windowBytes / s)} GB over the ${WINDOW_SHARDS} shards ` +
      `(${fmtMB(windowBytes / s / WINDOW_SHARDS)} MB each)`,
  );
  console.log(
    `  watch history: ${scaled(entries)} entries at full scale, ${entries ? Math.round(historyBytes / entries) : 0} B an entry ` +
      `(with the user id objects do not store), ${fmtGB(historyBytes / s)} GB over every user, +${fmtMB((historyBytes - historyBytesBefore) / s)} MB on the measured day ` +
      `(spread over the users' objects; each capped at 10,000 entries); the largest here holds ${(largest ?? 0).toLocaleString("en-US")}`,
  );
  console.log(
    `  likes: ${scaled(likes)} at full scale (three days), ${likes ? Math.round(likeBytes / likes) : 0} B a like ` +
      `(with the user id objects do not store), ${fmtGB(likeBytes / s)} GB spread over the users' objects, ` +
      `+${fmtMB((likeBytes - likeBytesBefore) / s)} MB on the measured day (kept for good, as D1 kept them)`,
  );
  console.log(
    `  rooms joined (24 h): ${scaled(joins)} at full scale, ${joins ? Math.round(joinBytes / joins) : 0} B a join ` +
      `(with the user id objects do not store), ${fmtGB(joinBytes / s)} GB spread over the users' objects`,
  );
  console.log(
    `  inboxes (new-video notices): ${scaled(notices)} at full scale, ${notices ? Math.round(inboxBytes / notices) : 0} B a notice ` +
      `(with the user id inboxes do not store), +${fmtMB((inboxBytes - inboxBytesBefore) / s)} MB on the measured day ` +
      "(spread over the subscribers' inboxes; each capped at 1,000 notices)",
  );
  let objectRowsDay = 0;
  for (const [label, n] of objectRows) {
    const day1 = n - (objectRowsBefore.get(label) ?? 0);
    objectRowsDay += day1 / s;
    console.log(
      `  ${`rows written: ${label}`.padEnd(44)} ${scaled(day1).padStart(14)} rows a day (${(day1 / day.views).toFixed(2)} per view)`,
    );
  }
  console.log(
    `  rows written in the objects' SQLite: ${Math.round(objectRowsDay).toLocaleString("en-US")} a day (billed as D1's rows written are)`,
  );
  for (const [label, n] of roomCalls) {
    console.log(
      `  ${label.padEnd(44)} ${scaled(n - (roomCallsBefore.get(label) ?? 0)).padStart(14)} requests a day ` +
        `(${((n - (roomCallsBefore.get(label) ?? 0)) / day.views).toFixed(2)} per view)`,
    );
  }
}

const failing = lines.filter((l) => l.growthPerDay > GOAL_BYTES_PER_DAY);
console.log(
  `\ngoal: no D1 table grows more than ${GOAL_BYTES_PER_DAY / MB} MB a day at ${TARGET.viewsPerDay.toLocaleString("en-US")} views a day: ` +
    (failing.length
      ? `FAILS for ${failing.length}: ${failing.map((l) => `${l.table} (${fmtMB(l.growthPerDay)} MB)`).join(", ")}`
      : "met by every table"),
);
checkFinite({
  dbGrowth: (fileAfter - fileBefore) / s,
  captionsGrowth: (capFileAfter - capFileBefore) / s,
  totalYear,
  statementsPerDay,
});
check(day.views > 0 && day.reports > day.views, "the day counted no views");
smokeFooter();
db.close();
capDb.close();
comDb.close();
