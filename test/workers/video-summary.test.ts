import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { VideoSummary } from "../../workers/schemas/videos";
import { videoSummaries } from "../../workers/services/videos";
import { database } from "../../workers/storage/db";
import { catalogueVideo, registerUser } from "./fixtures";

const ORIGIN = "http://cloudtube.test";

describe("video summaries", () => {
  it("come in the order asked, in API.md's shape, with the thumbnail as a public media URL", async () => {
    const user = await registerUser();
    const published = new Date("2026-10-01T12:00:00.000Z");
    const a = await catalogueVideo(user, {
      title: "First",
      description: "short",
      tags: ["x", "y"],
      category: "music",
      duration: 95.5,
      views: 12,
      likes: 3,
      publishedAt: published,
      thumbnails: { default: "thumbnails/0_small.jpg", medium: "thumbnails/0_medium.jpg" },
    });
    const b = await catalogueVideo(user, { title: "Second" });

    const list = await videoSummaries(database(env.DB), [b, a], ORIGIN);
    expect(list.map((v) => v.id)).toEqual([b, a]);
    expect(list[1]).toEqual({
      id: a,
      title: "First",
      description: "short",
      tags: ["x", "y"],
      category: "music",
      duration: 95.5,
      thumbnail: `${ORIGIN}/videos/${a}/thumbnails/0_small.jpg`,
      channel: { id: user.channel_id, name: user.username, verified: false },
      view_count: 12,
      like_count: 3,
      published_at: published.toISOString(),
    });
    expect(list[0]?.thumbnail).toBeNull();
    for (const item of list) expect(VideoSummary.parse(item)).toEqual(item);
  });

  it("cut the description to 200 characters at a word boundary", async () => {
    const user = await registerUser();
    const description = `${"word ".repeat(60)}end`;
    const id = await catalogueVideo(user, { title: "Long", description });
    const [summary] = await videoSummaries(database(env.DB), [id], ORIGIN);
    expect(summary?.description.length).toBeLessThanOrEqual(200);
    expect(summary?.description).toMatch(/^(word )+word…$/);
  });

  it("leave out private, unlisted and missing videos instead of failing", async () => {
    const user = await registerUser();
    const open = await catalogueVideo(user, { title: "Open" });
    const hidden = await catalogueVideo(user, { title: "Hidden", visibility: "private" });
    const link = await catalogueVideo(user, { title: "Link only", visibility: "unlisted" });
    const list = await videoSummaries(database(env.DB), [hidden, "missing", open, link, open], ORIGIN);
    expect(list.map((v) => v.id)).toEqual([open, open]);
  });

  it("fetch more ids than one D1 statement may bind", async () => {
    const user = await registerUser();
    const id = await catalogueVideo(user, { title: "Needle" });
    const ids = [...Array.from({ length: 150 }, (_, i) => `absent${i}`), id];
    const list = await videoSummaries(database(env.DB), ids, ORIGIN);
    expect(list.map((v) => v.id)).toEqual([id]);
  });
});
