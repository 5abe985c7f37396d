/**
 * Player events for creator analytics (issue 23; API.md "Creator analytics"): where they are
 * written. In production, Workers Analytics Engine (one data point per event, `index1` = the
 * video id); locally, a SQLite table with Analytics Engine's own column names and
 * `_sample_interval = 1`, so that the same SQL templates run on both (Analytics Engine has no
 * local query path, and miniflare discards its writes). The column layout is
 * docs/capacity.md's "Analytics Engine data point": change both together.
 *
 * `workers/wiring/analytics.ts` picks the sink (`ANALYTICS`); the local store is
 * `analytics-local.ts`, in the `ANALYTICS_LOCAL` D1 database, never the catalogue's. The
 * `playback-events` route writes here; the studio's analytics read it back through
 * `analytics-query.ts`.
 */

import { PLAYBACK_EVENT_TYPES } from "../schemas/analytics";

export { PLAYBACK_EVENT_TYPES };
export type PlaybackEventType = (typeof PLAYBACK_EVENT_TYPES)[number];

/** One player event, as validated by the route and stamped by the Worker (region, device, channel). */
export interface PlaybackEvent {
  videoId: string;
  channelId: string;
  sessionId: string;
  type: PlaybackEventType;
  /** Traffic source (`home`, `search`, ..., `direct`). */
  source: string;
  /** ISO country, `ZZ` when unknown. */
  region: string;
  /** `desktop`, `mobile`, `tablet`, `tv` or `other`. */
  device: string;
  rendition: string | null;
  errorCode: string | null;
  /** Seconds into the video (for a seek, where it landed). */
  position: number;
  /** Seconds: where a seek left from. */
  from: number | null;
  startupMs: number | null;
  rebufferMs: number | null;
  /** The video's length in seconds (retention is in percent of it). */
  duration: number;
  /** The event's time on the client, ms since the epoch. */
  at: number;
}

/** `blob1`..`blob8`, in order (docs/capacity.md). */
export const BLOBS = [
  "type",
  "session_id",
  "source",
  "region",
  "device",
  "rendition",
  "error_code",
  "channel_id",
] as const;
/** `double1`..`double6`, in order (docs/capacity.md); -1 or 0 stand for "none" as documented there. */
export const DOUBLES = ["position", "from", "startup_ms", "rebuffer_ms", "duration", "at"] as const;

/** Analytics Engine's documented limits per `writeDataPoint` (developers.cloudflare.com/analytics/analytics-engine/limits/). */
export const AE_LIMITS = { blobs: 20, doubles: 20, indexBytes: 96, blobBytes: 16 * 1024, pointsPerInvocation: 250 };

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** The data point of one event: index1 = video id, the blobs and doubles of docs/capacity.md. */
export function toDataPoint(e: PlaybackEvent): { indexes: [string]; blobs: string[]; doubles: number[] } {
  const blobs = [e.type, e.sessionId, e.source, e.region, e.device, e.rendition ?? "", e.errorCode ?? "", e.channelId];
  const doubles = [e.position, e.from ?? -1, e.startupMs ?? 0, e.rebufferMs ?? 0, e.duration, e.at];
  if (bytes(e.videoId) > AE_LIMITS.indexBytes) throw new RangeError("an index holds at most 96 bytes");
  if (blobs.reduce((n, b) => n + bytes(b), 0) > AE_LIMITS.blobBytes) throw new RangeError("blobs hold at most 16 KB");
  if (!doubles.every(Number.isFinite)) throw new RangeError("every double is a finite number");
  return { indexes: [e.videoId], blobs, doubles };
}

export interface AnalyticsSink {
  /** Writes each event once; a batch never exceeds what one Worker invocation may write. */
  write(events: readonly PlaybackEvent[]): Promise<void>;
}

export function bounded(events: readonly PlaybackEvent[]) {
  if (events.length > AE_LIMITS.pointsPerInvocation) {
    throw new RangeError(`at most ${AE_LIMITS.pointsPerInvocation} data points per invocation`);
  }
}

/** Production: the Analytics Engine binding, one `writeDataPoint` per event (non-blocking, no await). */
export function analyticsEngineSink(dataset: AnalyticsEngineDataset): AnalyticsSink {
  return {
    async write(events) {
      bounded(events);
      const points = events.map(toDataPoint);
      for (const point of points) dataset.writeDataPoint(point);
    },
  };
}
