// The watch page's first script, and the only one before the first frame: the player
// (hls-video-element over hls.js) given its source, its start level and the playback token.
// The rest of the page (watch.ts: comments, the live room, likes; report.ts and save.ts for a
// signed-in viewer; watch-list.ts beside a playlist) and media-chrome's controls are chunks
// loaded once the first frame is out, so that nothing else competes for the main thread until
// then; the playlists and first segments are already on their way (the page's Link:
// rel=preload header).
import { type HlsVideo, startPlayer } from "./_player";
import { playbackToken, setPlaybackToken } from "./_token";

const root = document.getElementById("watch");
const video = document.getElementById("video") as HlsVideo | null;
const src = root?.dataset.hls;

/**
 * After the first frame is on screen (the video element's frame callback, or two animation
 * frames after `loadeddata` where there is none), and in any case within 3 s.
 */
function afterFirstFrame(media: HlsVideo, then: () => void) {
  let done = false;
  const go = () => {
    if (done) return;
    done = true;
    then();
  };
  setTimeout(go, 3000);
  const onData = () => {
    const native = media.nativeEl ?? media;
    if ("requestVideoFrameCallback" in native) native.requestVideoFrameCallback(() => go());
    else requestAnimationFrame(() => requestAnimationFrame(go));
  };
  if (media.readyState >= 2) onData();
  else {
    media.addEventListener("loadeddata", onData, { once: true });
    media.addEventListener("error", go, { once: true });
  }
}

const rest = () => {
  import("./watch");
  if (root?.dataset.signedIn) {
    import("./report");
    import("./save");
  }
  // Beside a playlist (`?list=`): the next video follows at the end.
  if (document.getElementById("playlist-panel")) import("./watch-list");
  if (video) import("./_controls");
};

if (root && video && src) {
  setPlaybackToken(new URL(src, location.href).searchParams.get("token"));
  const t = Number(new URLSearchParams(location.search).get("t") ?? root.dataset.resume ?? 0);
  const level = root.dataset.startLevel ? Number(root.dataset.startLevel) : undefined;
  startPlayer(video, src, playbackToken, Number.isFinite(t) ? t : 0, level);
  afterFirstFrame(video, rest);
} else rest();
