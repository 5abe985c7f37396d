export { VideoRoom } from "./durable-objects/video-room";
export { Transcoder } from "./containers/transcoder";
export default { fetch: () => new Response("ok") } satisfies ExportedHandler<Env>;
