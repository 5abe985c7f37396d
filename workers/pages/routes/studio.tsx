import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { problem } from "../../lib/errors";
import { VideoEditBody } from "../../schemas/videos";
import * as videos from "../../services/videos";
import { editHooks, videoDeps } from "../../wiring/deps";
import { signedIn } from "../middleware";
import { StudioPage } from "../pages/studio";

/** `/studio`: the signed-in user's videos in every state; edit and delete by form post. */
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
  .post("/studio/:video_id/delete", signedIn, async (c) => {
    await videos.deleteVideo(videoDeps(c.env, c.var.db), c.var.user.id, c.req.param("video_id"));
    return c.redirect("/studio?notice=Deleted", 303);
  });
