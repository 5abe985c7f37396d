import { z } from "@hono/zod-openapi";
import { ChannelOut } from "./accounts";
import { Id, listOf } from "./common";
import { VideoSummary } from "./videos";

export const ChannelParams = z.object({ channel_id: Id.openapi({ param: { name: "channel_id", in: "path" } }) });

export const ChannelVideoList = listOf(VideoSummary, "ChannelVideoList");

export const SubscriptionItem = ChannelOut.extend({
  subscribed_at: z.string().openapi({ format: "date-time" }),
}).openapi("Subscription");

export const SubscriptionList = listOf(SubscriptionItem, "SubscriptionList");
