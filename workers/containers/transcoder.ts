import { Container } from "@cloudflare/containers";

/**
 * The transcoder (transcoder/) as a Cloudflare Container in production. Locally the same
 * service runs as a Node process reached through TRANSCODER_URL.
 */
export class Transcoder extends Container {
  override defaultPort = 8080;
  override sleepAfter = "10m";
}
