// The watch page's first script, and the only one before the first frame: the player
// (hls-video-element over hls.js) given its source, its start level, the playlists the page
// carries and the playback token. The rest of the page (watch.ts: comments, the live room,
// likes; report.ts and save.ts for a signed-in viewer; watch-list.ts beside a playlist; the
// site-wide search suggestions) and media-chrome's controls are chunks loaded once the first
// frame is out, so that nothing else competes for the main thread or a connection until then;
// the first segments are already on their way (the page's Link: rel=preload header).
import { type HlsVideo, pagePlaylists, playbackToken, setPlaybackToken, startPlayer } from "./_player";

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
    const shown = () => {
      markFirstFrame();
      go();
    };
    if ("requestVideoFrameCallback" in native) native.requestVideoFrameCallback(shown);
    else requestAnimationFrame(() => requestAnimationFrame(shown));
  };
  if (media.readyState >= 2) onData();
  else {
    media.addEventListener("loadeddata", onData, { once: true });
    media.addEventListener("error", go, { once: true });
  }
}

/**
 * When the first frame was on screen, in ms since navigation start (`performance.now()`'s
 * origin), for the `start` beacon's `startup_ms` (beacons.ts, loaded after it).
 */
function markFirstFrame() {
  if (root && !root.dataset.firstFrameMs) root.dataset.firstFrameMs = String(Math.round(performance.now()));
}

let loading: Promise<unknown> | undefined;
/** The rest of the page, loaded once (after the first frame, or at the viewer's first click). */
const rest = () => {
  loading ??= Promise.all([
    import("./watch"),
    // The site-wide script (search suggestions), which other pages load with the page.
    import("./_common"),
    // Player events for creator analytics (start, heartbeats, seeks, ...): sendBeacon batches.
    ...(video && src ? [import("./beacons")] : []),
    ...(root?.dataset.signedIn ? [import("./report"), import("./save")] : []),
    // Beside a playlist (`?list=`): the next video follows at the end.
    ...(document.getElementById("playlist-panel") ? [import("./watch-list")] : []),
    ...(video ? [import("./_controls")] : []),
  ]);
  return loading;
};

// A click on one of the page's buttons before the scripts that handle it are in is not lost:
// it loads them at once and is made again when they are (the player's own controls excepted).
const early = (event: Event) => {
  const button = (event.target as Element | null)?.closest<HTMLElement>("button");
  if (!button || button.closest("#player")) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  document.removeEventListener("click", early, true);
  void rest().then(() => button.click());
};
document.addEventListener("click", early, true);

if (root && video && src) {
  setPlaybackToken(new URL(src, location.href).searchParams.get("token"));
  const t = Number(new URLSearchParams(location.search).get("t") ?? root.dataset.resume ?? 0);
  const level = root.dataset.startLevel ? Number(root.dataset.startLevel) : undefined;
  startPlayer(video, src, playbackToken, Number.isFinite(t) ? t : 0, level, pagePlaylists());
  afterFirstFrame(video, () => void rest().then(() => document.removeEventListener("click", early, true)));
} else void rest().then(() => document.removeEventListener("click", early, true));
