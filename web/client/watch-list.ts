// The watch page playing a list (`?list=`): the video starts by itself, and when it ends the
// next one follows after a countdown the viewer can cancel (or skip with "Play now").
import { byId } from "./_api";

/** Seconds between the end of one video and the next. */
const COUNTDOWN_SECONDS = 5;

const panel = byId("playlist-panel");
const video = byId<HTMLVideoElement>("video");
const box = byId("autoplay-next");
const seconds = byId("autoplay-seconds");
const title = byId("autoplay-title");
const nextUrl = panel?.dataset.nextUrl ?? "";
let timer: ReturnType<typeof setInterval> | undefined;

document.querySelector(".panel-item[aria-current='true']")?.scrollIntoView({ block: "nearest" });

function countdown() {
  if (!nextUrl || !box) return;
  let left = COUNTDOWN_SECONDS;
  if (title) title.textContent = panel?.dataset.nextTitle ?? "";
  if (seconds) seconds.textContent = String(left);
  box.hidden = false;
  clearInterval(timer);
  timer = setInterval(() => {
    left -= 1;
    if (seconds) seconds.textContent = String(left);
    if (left <= 0) {
      clearInterval(timer);
      location.assign(nextUrl);
    }
  }, 1000);
}

byId("autoplay-cancel")?.addEventListener("click", () => {
  clearInterval(timer);
  if (box) box.hidden = true;
});

if (video) {
  // A list plays on by itself; a browser that will not start it with sound starts it muted.
  const start = () => {
    video.play().catch(() => {
      video.muted = true;
      video.play().catch(() => {});
    });
  };
  if (video.readyState >= 3) start();
  else video.addEventListener("canplay", start, { once: true });
  video.addEventListener("ended", countdown);
  // Watching again cancels the countdown.
  video.addEventListener("play", () => {
    clearInterval(timer);
    if (box) box.hidden = true;
  });
}
