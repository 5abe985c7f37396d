import app from "./app";
import { handleQueue } from "./queues";
import { runScheduled } from "./scheduled";

export { Transcoder } from "./containers/transcoder";
export { RateLimiter } from "./durable-objects/rate-limiter";
export { RoomRelay } from "./durable-objects/room-relay";
export { UserHistory } from "./durable-objects/user-history";
export { UserInbox } from "./durable-objects/user-inbox";
export { VideoRoom } from "./durable-objects/video-room";
export { ViewerWindows } from "./durable-objects/viewer-windows";

export default {
  fetch: app.fetch,
  queue: (batch, env, _ctx) => handleQueue(batch, env),
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(env, controller.scheduledTime)),
} satisfies ExportedHandler<Env>;
