// A private video's playback token, shared by the player (every hls.js request carries the
// newest) and the page script that fetches a fresh one before it runs out.
let current: string | null = null;

export const playbackToken = (): string | null => current;

export function setPlaybackToken(token: string | null): void {
  current = token;
}
