import { z } from "@hono/zod-openapi";
import { Id, limitParam } from "./common";
import { VideoSummary } from "./videos";

export const RecommendationQuery = z.object({
  limit: limitParam(20, 50),
});

export const Reason = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("because_you_watched"), video_id: Id }),
    z.object({ type: z.literal("subscribed"), channel_id: Id }),
    z.object({ type: z.literal("similar_viewers") }),
    z.object({ type: z.literal("trending") }),
  ])
  .openapi("RecommendationReason", {
    description:
      "Why the video is listed: a video the caller watched (co-viewed or similar content), a subscription, viewers like the caller, or trending in the caller's region",
  });

export type Reason = z.infer<typeof Reason>;

export const Recommendation = VideoSummary.extend({ reason: Reason }).openapi("Recommendation");

export const RecommendationList = z
  .object({ items: z.array(Recommendation), limit: z.number().int() })
  .openapi("RecommendationList");

export const RelatedList = z.object({ items: z.array(VideoSummary), limit: z.number().int() }).openapi("RelatedList");
