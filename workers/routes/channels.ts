import { createRoute, z } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { ChannelOut } from "../schemas/accounts";
import { Id, json, problems } from "../schemas/common";
import * as accounts from "../services/accounts";

const ChannelParams = z.object({ channel_id: Id.openapi({ param: { name: "channel_id", in: "path" } }) });

export const channelRoutes = router().openapi(
  createRoute({
    method: "get",
    path: "/{channel_id}",
    tags: ["channels"],
    summary: "A channel",
    request: { params: ChannelParams },
    responses: { 200: json(ChannelOut, "The channel"), ...problems(400, 404) },
  }),
  async (c) => c.json(await accounts.channel(c.var.db, c.req.valid("param").channel_id), 200),
);
