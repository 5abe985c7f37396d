import { createRoute } from "@hono/zod-openapi";
import { notFound } from "../lib/errors";
import { router } from "../lib/openapi";
import { json, problems } from "../schemas/common";
import { StatusOut, VideoParams } from "../schemas/processing";
import { statusOf } from "../services/processing";
import { readStatus, writeStatus } from "../storage/status-cache";

/** Mounted at /api/v1/videos (the upload sub-app takes /api/v1/videos/upload first). */
export const videoRoutes = router().openapi(
  createRoute({
    method: "get",
    path: "/{video_id}/status",
    tags: ["processing"],
    summary: "Processing status and progress (seed: Processing Status Updates)",
    request: { params: VideoParams },
    responses: { 200: json(StatusOut, "The status"), ...problems(400, 404) },
  }),
  async (c) => {
    const { video_id } = c.req.valid("param");
    let status = await readStatus(video_id);
    if (!status) {
      status = await statusOf(c.var.db, video_id);
      if (!status) throw notFound("Video");
      c.executionCtx.waitUntil(writeStatus(video_id, status));
    }
    // A private video's status is its owner's alone; others learn nothing, not even that it exists.
    if (status.visibility === "private" && status.owner_id !== c.var.user?.id) throw notFound("Video");
    return c.json(StatusOut.parse(status.body), 200, { "Cache-Control": "no-store" });
  },
);
