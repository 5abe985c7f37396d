import { env } from "cloudflare:workers";
import { database } from "../../workers/storage/db";
import { recordCompleted } from "../../workers/storage/videos";
import type { TestUser } from "./fixtures";

let serial = 0;

export interface VideoSpec {
  title: string;
  description?: string;
  tags?: string[];
  category?: string | null;
  visibility?: "public" | "unlisted" | "private";
  /** Seconds. */
  duration?: number;
  views?: number;
  likes?: number;
  publishedAt?: Date;
  thumbnails?: { default?: string; medium?: string };
}

/**
 * A video of `user`'s channel taken to `ready` through the storage call the processing flow
 * uses (so whatever that flow keeps in step, the search index included, is kept here too),
 * without the upload and transcoder round trips, which tests of lists do not need.
 */
export async function catalogueVideo(user: TestUser, spec: VideoSpec): Promise<string> {
  const id = `cv${Date.now().toString(36)}${(serial++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  await env.DB.prepare(
    `INSERT INTO videos (id, channel_id, owner_id, title, description, tags, category, visibility, status, view_count, like_count)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'processing', ?, ?)`,
  )
    .bind(
      id,
      user.channel_id,
      user.id,
      spec.title,
      spec.description ?? "",
      JSON.stringify(spec.tags ?? []),
      spec.category ?? null,
      spec.visibility ?? "public",
      spec.views ?? 0,
      spec.likes ?? 0,
    )
    .run();
  const done = await recordCompleted(
    database(env.DB),
    id,
    {
      renditions: [],
      thumbnails: spec.thumbnails,
      probe: { duration: spec.duration ?? 60, width: 640, height: 360, info: {} },
    },
    spec.publishedAt ?? new Date(),
  );
  if (!done) throw new Error(`video ${id} did not become ready`);
  return id;
}
