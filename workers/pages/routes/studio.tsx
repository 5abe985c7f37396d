import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { problem } from "../../lib/errors";
import { RATE_RULES, rateLimit } from "../../middleware/rate-limit";
import { CaptionParams, CaptionQuery } from "../../schemas/captions";
import { VideoEditBody } from "../../schemas/videos";
import { requestAutoCaptions } from "../../services/auto-captions";
import * as captions from "../../services/captions";
import * as videos from "../../services/videos";
import { autoCaptionDeps, captionDeps, editHooks, videoDeps } from "../../wiring/deps";
import { signedIn } from "../middleware";
import { StudioPage } from "../pages/studio";

/** A caption file's type from its name, which browsers do not always turn into one (.srt). */
function captionType(file: File): string {
  const name = file.name.toLowerCase();
  if (name.endsWith(".vtt")) return "text/vtt";
  if (name.endsWith(".srt")) return "application/x-subrip";
  return file.type;
}

/**
 * `/studio`: the signed-in user's videos in every state; edit, delete and add captions by
 * form post.
 */
export const studioRoutes = new Hono<AppEnv>()
  .get("/studio", signedIn, async (c) => {
    const list = await videos.ownVideos(c.var.db, new URL(c.req.url).origin, c.var.user.id, 100);
    return c.render(<StudioPage videos={list} notice={c.req.query("notice")} />, { title: "Studio" });
  })
  .post("/studio/:video_id", signedIn, async (c) => {
    const form = await c.req.parseBody();
    const edit = VideoEditBody.safeParse({
      title: form.title,
      description: form.description,
      visibility: form.visibility,
    });
    if (!edit.success) {
      throw problem("validation_failed", { detail: "The title or visibility is not valid." });
    }
    await videos.editVideo(c.var.db, c.var.user.id, c.req.param("video_id"), edit.data, editHooks(c.env, c.var.db));
    return c.redirect("/studio?notice=Saved", 303);
  })
  // A caption file (multipart: language, label, file), checked and stored as PUT
  // /api/v1/videos/{id}/captions/{language} does; a bad file is the error page naming the
  // line and the reason.
  .post("/studio/:video_id/captions", signedIn, async (c) => {
    const form = await c.req.parseBody();
    const file = form.file;
    const language = CaptionParams.shape.language.safeParse(form.language);
    const query = CaptionQuery.safeParse({ label: form.label || undefined });
    if (!(file instanceof File) || !file.size || !language.success || !query.success) {
      throw problem("validation_failed", {
        detail:
          "Choose a WebVTT or SRT file, its language (a BCP 47 tag such as en) and, if you like, a one-line name.",
      });
    }
    const label = query.data.label;
    const origin = new URL(c.req.url).origin;
    const track = await captions.putTrack(
      captionDeps(c.env, c.var.db, origin),
      c.var.user,
      c.req.param("video_id"),
      language.data,
      { label, contentType: captionType(file), contentLength: file.size, body: file.stream() },
      origin,
    );
    return c.redirect(`/studio?notice=${encodeURIComponent(`Captions saved: ${track.label}`)}`, 303);
  })
  // Auto captions on request, as POST /api/v1/videos/{id}/captions/generate (same rules, same
  // rate limit); the owner hears of the track's end in their notifications.
  .post("/studio/:video_id/captions/generate", signedIn, rateLimit(RATE_RULES.captionsGenerate), async (c) => {
    const form = await c.req.parseBody();
    const language = form.language ? CaptionParams.shape.language.safeParse(form.language) : undefined;
    if (language && !language.success) {
      throw problem("validation_failed", { detail: "The language is not a BCP 47 tag such as en or pt-BR." });
    }
    await requestAutoCaptions(
      autoCaptionDeps(c.env, c.var.db, new URL(c.req.url).origin),
      c.var.user,
      c.req.param("video_id"),
      language?.data,
    );
    const notice = "Captions are being made; you will be notified when they are ready.";
    return c.redirect(`/studio?notice=${encodeURIComponent(notice)}`, 303);
  })
  .post("/studio/:video_id/delete", signedIn, async (c) => {
    await videos.deleteVideo(videoDeps(c.env, c.var.db), c.var.user.id, c.req.param("video_id"));
    return c.redirect("/studio?notice=Deleted", 303);
  });
