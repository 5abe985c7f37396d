import { Container } from "@cloudflare/containers";

/**
 * The transcoder (transcoder/) as a Cloudflare Container in production. Locally the same
 * service runs as a Node process reached through TRANSCODER_URL.
 */
export class Transcoder extends Container<Env> {
  defaultPort = 8080;
  sleepAfter = "10m";
}
