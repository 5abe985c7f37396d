import { DurableObject } from "cloudflare:workers";

/**
 * One room per video (named by the video id): the live comment room and its counters.
 * The comments issue fills it in; it is declared now so that wrangler.toml, the generated
 * Env and the Durable Object migrations hold every class from the start.
 */
export class VideoRoom extends DurableObject<Env> {}
