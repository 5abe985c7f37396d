// The player: media-chrome's elements (only those the page uses, to keep the bundle small)
// around hls-video-element, which drives hls.js.
import "media-chrome/dist/media-controller.js";
import "media-chrome/dist/media-control-bar.js";
import "media-chrome/dist/media-play-button.js";
import "media-chrome/dist/media-seek-backward-button.js";
import "media-chrome/dist/media-seek-forward-button.js";
import "media-chrome/dist/media-mute-button.js";
import "media-chrome/dist/media-volume-range.js";
import "media-chrome/dist/media-time-range.js";
import "media-chrome/dist/media-time-display.js";
import "media-chrome/dist/media-fullscreen-button.js";
import "media-chrome/dist/media-loading-indicator.js";
import "media-chrome/dist/media-poster-image.js";
import "media-chrome/dist/menu/media-playback-rate-menu.js";
import "media-chrome/dist/menu/media-playback-rate-menu-button.js";
import "media-chrome/dist/menu/media-rendition-menu.js";
import "media-chrome/dist/menu/media-rendition-menu-button.js";
import "hls-video-element";

interface HlsLevel {
  height: number;
}
interface HlsApi {
  levels: HlsLevel[];
  currentLevel: number;
  autoLevelEnabled: boolean;
  on(event: string, handler: (event: string, data: { level: number }) => void): void;
}
export interface HlsVideo extends HTMLVideoElement {
  config: Record<string, unknown> | null;
  api: HlsApi | null;
}

const TOKEN = /([?&])token=[^&]*/;

/**
 * Starts playback of `src`. `token()` gives the current playback token of a private video:
 * every playlist and segment request is rewritten to carry it, so a token refreshed while
 * the viewer paused for hours is used by the next request (hls.js lets xhrSetup open the
 * request itself).
 */
export function startPlayer(video: HlsVideo, src: string, token: () => string | null, resumeAt: number) {
  video.config = {
    xhrSetup(xhr: XMLHttpRequest, url: string) {
      const current = token();
      if (current && TOKEN.test(url)) xhr.open("GET", url.replace(TOKEN, `$1token=${current}`), true);
    },
  };
  video.src = src;
  if (resumeAt > 0) {
    video.addEventListener(
      "loadedmetadata",
      () => {
        // Resuming at the very end would only show the last frame.
        if (resumeAt < video.duration - 3) video.currentTime = resumeAt;
      },
      { once: true },
    );
  }
  showLevel(video);
}

/** The quality menu's current level, shown beside it ("Auto · 360p"). */
function showLevel(video: HlsVideo) {
  const badge = document.getElementById("current-level");
  if (!badge) return;
  const update = () => {
    const api = video.api;
    const level = api?.levels[api.currentLevel];
    if (!api || !level) return;
    badge.textContent = `${api.autoLevelEnabled ? "Auto · " : ""}${level.height}p`;
  };
  const attach = () => {
    if (!video.api) return;
    video.api.on("hlsLevelSwitched", update);
    update();
  };
  if (video.api) attach();
  else video.addEventListener("loadedmetadata", attach, { once: true });
}
