// The watch page, past its player (player.ts starts it and loads this once the first frame is
// out): position reports, live room (comments, counters, processing), likes, share,
// subscribe, and keeping a private video's playback token fresh.
import { api, byId, csrfToken, must, required } from "./_api";
import { showCaptionsInViewerLanguage } from "./_captions";
import { CommentsView } from "./_comments";
import { type HlsVideo, playbackToken, setPlaybackToken } from "./_player";
import { forwardOnly, type ProcessingStatus } from "./_progress";
import { joinRoom } from "./_room";
import { wireSubscribeButtons } from "./_subscribe";

const root = required("watch");
const videoId = must(root.dataset.videoId, "#watch[data-video-id]");
const signedIn = root.dataset.signedIn === "1";
const video = byId<HlsVideo>("video");
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

// --- playback token: refreshed well before it runs out, so a long pause can continue ---
function scheduleTokenRefresh(expiresAtMs: number) {
  const wait = Math.max(30_000, expiresAtMs - Date.now() - 10 * 60_000);
  setTimeout(async () => {
    try {
      const fresh = await api<{ hls_url: string | null }>("GET", `/videos/${videoId}`);
      const url = fresh.hls_url ? new URL(fresh.hls_url) : null;
      const previous = playbackToken();
      const token = url?.searchParams.get("token") ?? previous;
      setPlaybackToken(token);
      if (token && token !== previous) refreshStoryboard(token);
      const exp = Number(token?.split(".")[0]);
      scheduleTokenRefresh(Number.isFinite(exp) ? exp * 1000 : Date.now() + 3600_000);
    } catch {
      scheduleTokenRefresh(Date.now() + 11 * 60_000); // retry in a minute
    }
  }, wait);
}
/**
 * The storyboard track's cues name sprites signed with the token the track was fetched
 * with, so a fresh token needs a fresh track, under the fresh token.
 */
function refreshStoryboard(fresh: string) {
  const old = video?.querySelector<HTMLTrackElement>("track[label=thumbnails]");
  if (!video || !old) return;
  const src = new URL(old.src, location.href);
  src.searchParams.set("token", fresh);
  const track = document.createElement("track");
  track.kind = "metadata";
  track.label = "thumbnails";
  track.default = true;
  track.src = src.href;
  // hls-video copies its track children into its inner <video>, where they load: the
  // element here never sees a load event, so the swap is immediate (the VTT is small).
  old.replaceWith(track);
}
if (root.dataset.playbackExpires) scheduleTokenRefresh(Number(root.dataset.playbackExpires));

// --- position reports: every 10 s until the view counts, then every 30 s, and on pause/leave ---
/**
 * How often a playing video reports its position: every 10 s until a report has shown the
 * view's threshold (10 s of watching, or half of a short video: API.md), then every 30 s, as
 * YouTube's watch-time pings also space out. Each report is a call to the viewer's history
 * object and a watch event for the video's room; pause, end and leaving still report at once,
 * so the resume point stays exact where the viewer stopped (docs/capacity.md, "Fewer reports").
 */
const REPORT_MS = { untilView: 10_000, after: 30_000 } as const;
if (video && root.dataset.hls) {
  showCaptionsInViewerLanguage(video);
  let lastSent = -1;
  // While the video still processes its playlists are open-ended (duration Infinity): the
  // seekable end is the length known so far.
  const lengthSoFar = () =>
    Number.isFinite(video.duration)
      ? video.duration
      : video.seekable.length
        ? video.seekable.end(video.seekable.length - 1)
        : 0;
  const report = (keepalive = false) => {
    const duration = lengthSoFar();
    if (!duration || video.currentTime === lastSent) return;
    const from = lastSent;
    lastSent = video.currentTime;
    const path = signedIn ? "watch-position" : "heartbeat";
    fetch(`/api/v1/videos/${videoId}/${path}`, {
      method: "POST",
      keepalive,
      headers: {
        "Content-Type": "application/json",
        "X-CSRF-Token": csrfToken(),
      },
      // Where the last report was: what this report stands for is counted from it.
      body: JSON.stringify({
        position: Math.min(video.currentTime, duration),
        duration,
        ...(from >= 0 ? { from: Math.min(from, duration) } : {}),
      }),
    }).catch(() => {});
  };
  const every = () => {
    const threshold = Math.min(10, lengthSoFar() / 2);
    return lastSent >= threshold && threshold > 0 ? REPORT_MS.after : REPORT_MS.untilView;
  };
  const tick = () => {
    if (!video.paused) report();
    setTimeout(tick, every());
  };
  setTimeout(tick, REPORT_MS.untilView);
  video.addEventListener("pause", () => report());
  video.addEventListener("ended", () => report());
  addEventListener("pagehide", () => report(true));
}

// --- comments and the live room ---
const comments = byId("comment-list") ? new CommentsView(videoId, root.dataset.userId ?? "") : undefined;
const liveNote = byId("comments-live");
/** Above this many watchers the room is shown as top comments (a sample), unless the viewer chose. */
const TOP_VIEW_WATCHERS = 200;
const viewToggle = byId<HTMLButtonElement>("live-view");
let chosenView = false;
const room = joinRoom(
  videoId,
  (message) => {
    switch (message.type) {
      case "comment_added":
        comments?.add(message.comment);
        break;
      case "comment_deleted":
        comments?.remove(message.comment_id);
        break;
      case "counters": {
        const views = byId("view-count");
        if (views) views.textContent = `${compact.format(message.views)} view${message.views === 1 ? "" : "s"}`;
        const likes = byId("like-count");
        if (likes) likes.textContent = String(message.likes);
        comments?.setCount(message.comments);
        const viewers = byId("viewers");
        if (viewers) viewers.textContent = message.viewers > 1 ? ` · ${message.viewers} watching now` : "";
        if (!chosenView && message.viewers > TOP_VIEW_WATCHERS && room.view === "all") showView("top");
        break;
      }
      case "settings":
        showSettings(message);
        break;
      case "status":
        showProcessing(message);
        break;
      case "pong":
        break;
      case "error":
        if (message.code === "video_blocked") stopBlocked(message.message);
        break;
    }
  },
  () => {
    if (liveNote) {
      liveNote.textContent =
        room.view === "top" ? "Showing top comments: a sample of what is said." : "New comments appear here live.";
    }
  },
);

/** Top comments (a sample of at most 8 a second) or every comment; the button offers the other. */
function showView(view: "top" | "all") {
  room.setView(view);
  if (viewToggle) {
    viewToggle.hidden = false;
    viewToggle.textContent = view === "top" ? "All comments" : "Top comments";
    viewToggle.setAttribute("aria-pressed", String(view === "top"));
  }
}
api<{ slow_mode_seconds: number; comments: "open" | "subscribers" | "closed" }>(
  "GET",
  `/videos/${videoId}/live/settings`,
)
  .then(showSettings)
  .catch(() => {});
viewToggle?.addEventListener("click", () => {
  chosenView = true;
  showView(room.view === "top" ? "all" : "top");
});

/** The owner's live settings, said under the comment box. */
function showSettings(s: { slow_mode_seconds: number; comments: "open" | "subscribers" | "closed" }) {
  const note = byId("live-settings");
  if (!note) return;
  const parts = [];
  if (s.comments === "closed") parts.push("Comments are closed.");
  if (s.comments === "subscribers") parts.push("Only subscribers may comment.");
  if (s.slow_mode_seconds > 0) parts.push(`Slow mode: one comment every ${s.slow_mode_seconds} s.`);
  note.textContent = parts.join(" ");
}

/** The video was blocked while it played: the player stops and says why (its media answers 451 from now on). */
function stopBlocked(text: string) {
  video?.pause();
  const area = document.querySelector(".player-area");
  if (!area) return;
  const note = document.createElement("p");
  note.className = "blocked-notice";
  note.setAttribute("role", "alert");
  note.textContent = text;
  area.replaceChildren(note);
}

// --- a video still processing: live progress, then the player ---
// The room and the slow poll both report, from the state the page was rendered with; a late
// poll answer must not take the bar back.
const rendered = byId<HTMLProgressElement>("processing-progress");
let reloading = false;
const showProcessing = forwardOnly(
  ({ status, progress, playable }) => {
    if (status === "ready") addStoryboard();
    const bar = byId<HTMLProgressElement>("processing-progress");
    if (!bar) return;
    bar.value = progress;
    const percent = byId("processing-percent");
    if (percent) percent.textContent = `${progress}%`;
    const stage = byId("processing-stage");
    if (stage) stage.textContent = status;
    // Once: every later update says playable too, and a second reload while the first is
    // under way would load the page twice (the player of the first would vanish under a click).
    if (playable && !reloading) {
      reloading = true;
      location.reload();
    }
  },
  rendered
    ? { status: byId("processing-stage")?.textContent ?? "processing", progress: rendered.value, playable: false }
    : undefined,
);
/** A video that played before it was ready gets its seek-bar thumbnails once they exist. */
async function addStoryboard() {
  if (!video || video.querySelector("track[label=thumbnails]")) return;
  const page = await api<{ thumbnails: { storyboard: { vtt: string | null } | null } }>("GET", `/videos/${videoId}`);
  const vtt = page.thumbnails.storyboard?.vtt;
  if (!vtt || video.querySelector("track[label=thumbnails]")) return;
  const track = document.createElement("track");
  track.kind = "metadata";
  track.label = "thumbnails";
  track.default = true;
  // A private video's URLs carry a playback token already: the newest one is used.
  const src = new URL(vtt, location.href);
  const token = playbackToken();
  if (token) src.searchParams.set("token", token);
  track.src = src.href;
  video.append(track);
}

if (byId("processing")) {
  // The room relays status; a slow poll covers a socket that cannot connect.
  setInterval(async () => {
    showProcessing(await api<ProcessingStatus>("GET", `/videos/${videoId}/status`));
  }, 5000);
}

// --- likes, share, subscribe ---
for (const button of [byId<HTMLButtonElement>("like"), byId<HTMLButtonElement>("dislike")]) {
  button?.addEventListener("click", async () => {
    const pressed = button.getAttribute("aria-pressed") === "true";
    const value = pressed ? 0 : Number(button.dataset.value);
    const out = await api<{ like_count: number; dislike_count: number; value: number }>(
      "POST",
      `/videos/${videoId}/like`,
      { value },
    );
    required("like-count").textContent = String(out.like_count);
    required("dislike-count").textContent = String(out.dislike_count);
    required("like").setAttribute("aria-pressed", String(out.value === 1));
    required("dislike").setAttribute("aria-pressed", String(out.value === -1));
  });
}
byId("share")?.addEventListener("click", async () => {
  const status = required("share-status");
  const link = `${location.origin}/watch/${videoId}`;
  try {
    await navigator.clipboard.writeText(link);
    status.textContent = "Link copied.";
  } catch {
    status.textContent = link;
  }
  fetch(`/api/v1/videos/${videoId}/share`, {
    method: "POST",
    headers: { "X-CSRF-Token": csrfToken() },
  }).catch(() => {});
});
wireSubscribeButtons(byId("share-status"));
