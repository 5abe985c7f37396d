// /upload: a resumable upload over tus (tus-js-client). A dropped connection is retried from
// the server's offset; a reload finds the upload again (its URL is kept in localStorage by
// file fingerprint) and continues. Then processing progress live from the video's room.
import { Upload } from "tus-js-client";
import { api, byId, csrfToken, find, required } from "./_api";
import { forwardOnly, type ProcessingStatus } from "./_progress";
import { joinRoom } from "./_room";

const form = required<HTMLFormElement>("upload-form");
const fileInput = required<HTMLInputElement>("file");
const dropZone = required("drop-zone");
const bar = required<HTMLProgressElement>("upload-bar");
const stats = required("upload-stats");
const errorText = required("upload-error");
const pauseButton = required<HTMLButtonElement>("upload-pause");
const title = required<HTMLInputElement>("title");

// Drag and drop onto the file picker's label.
for (const type of ["dragenter", "dragover"]) {
  dropZone.addEventListener(type, (event) => {
    event.preventDefault();
    dropZone.classList.add("dragging");
  });
}
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
dropZone.addEventListener("drop", (event) => {
  event.preventDefault();
  dropZone.classList.remove("dragging");
  if (event.dataTransfer?.files.length) {
    fileInput.files = event.dataTransfer.files;
    fileInput.dispatchEvent(new Event("change"));
  }
});
fileInput.addEventListener("change", () => {
  const file = fileInput.files?.[0];
  if (file && !title.value) title.value = file.name.replace(/\.[^.]*$/, "").slice(0, 100);
});

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
function timeLeft(seconds: number) {
  if (!Number.isFinite(seconds)) return "";
  return seconds < 90 ? `${Math.ceil(seconds)} s left` : `${Math.ceil(seconds / 60)} min left`;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = fileInput.files?.[0];
  if (!file) return;
  const data = new FormData(form);
  const field = (name: string) => String(data.get(name) ?? "").trim();
  const tags = field("tags")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean)
    .slice(0, 15);
  find<HTMLButtonElement>(form, "button[type=submit]").disabled = true;
  required("upload-progress").hidden = false;
  errorText.textContent = "";

  let videoId = "";
  const started = performance.now();
  let startBytes = -1;
  const upload = new Upload(file, {
    endpoint: "/api/v1/uploads/tus",
    // 8 MiB requests; each is retried on failure, from the offset the server confirms.
    chunkSize: 8 * 1024 * 1024,
    retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
    headers: { "X-CSRF-Token": csrfToken() },
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    metadata: {
      filename: file.name,
      title: field("title") || file.name,
      content_type: file.type || "application/octet-stream",
      description: field("description"),
      visibility: field("visibility") || "public",
    },
    onAfterResponse(_req, res) {
      videoId ||= res.getHeader("Video-Id") ?? "";
    },
    onProgress(sent, total) {
      if (startBytes < 0) startBytes = sent;
      bar.value = Math.floor((sent / total) * 100);
      const seconds = (performance.now() - started) / 1000;
      const speed = (sent - startBytes) / Math.max(seconds, 0.001);
      stats.textContent = `${mb(sent)} of ${mb(total)} · ${mb(speed)}/s · ${timeLeft((total - sent) / speed)}`;
    },
    onShouldRetry(err, attempt) {
      stats.textContent = `Connection lost; retrying (${attempt + 1})…`;
      const status = err.originalResponse?.getStatus() ?? 0;
      // Retry network failures, timeouts and server trouble; a 4xx will not get better.
      return status === 0 || status === 409 || status === 423 || status >= 500;
    },
    onError(err) {
      errorText.textContent = `Upload failed: ${err.message.split("\n")[0]}`;
      find<HTMLButtonElement>(form, "button[type=submit]").disabled = false;
    },
    async onSuccess() {
      bar.value = 100;
      const uploaded = byId("upload-progress-h");
      if (uploaded) uploaded.textContent = "Uploaded";
      stats.textContent = `Uploaded ${mb(file.size)}.`;
      pauseButton.hidden = true;
      // Done with the form: what is left is this video's processing, or another upload.
      form.reset();
      form.hidden = true;
      byId("upload-another")?.removeAttribute("hidden");
      videoId ||= (upload.url ?? "").split("/").pop() ?? "";
      // tus metadata carries title, description and visibility; tags and category follow.
      const category = field("category");
      if (videoId && (tags.length || category)) {
        await api("PATCH", `/videos/${videoId}`, {
          ...(tags.length ? { tags } : {}),
          ...(category ? { category } : {}),
        });
      }
      followProcessing(videoId);
    },
  });

  // Continue an upload of the same file that a reload or a crash interrupted.
  const previous = await upload.findPreviousUploads();
  if (previous[0]) {
    upload.resumeFromPreviousUpload(previous[0]);
    stats.textContent = "Resuming an earlier upload of this file…";
  }
  upload.start();

  let paused = false;
  pauseButton.onclick = () => {
    paused = !paused;
    pauseButton.textContent = paused ? "Resume" : "Pause";
    if (paused) upload.abort();
    else upload.start();
  };
});

function followProcessing(videoId: string) {
  const section = required("processing-section");
  section.hidden = false;
  const progress = required<HTMLProgressElement>("processing-progress");
  const text = required("processing-text");
  const heading = byId("processing-h");
  const link = required<HTMLAnchorElement>("watch-link");
  link.href = `/watch/${videoId}`;
  let finished = false;
  // The room and the poll both report; a late poll answer must not take the bar back.
  const show = forwardOnly(({ status, progress: percent, playable }) => {
    progress.value = percent;
    text.textContent = status === "failed" ? "Processing failed." : `${status} · ${percent}%`;
    if (heading)
      heading.textContent = status === "ready" ? "Ready" : status === "failed" ? "Processing failed" : "Processing";
    if (playable) {
      link.hidden = false;
      link.textContent = status === "ready" ? "Watch your video" : "Watch your video (more qualities on the way)";
    }
    finished = status === "ready" || status === "failed";
  });
  joinRoom(videoId, (message) => {
    if (message.type === "status") show(message);
  });
  const poll = async () => {
    show(await api<ProcessingStatus>("GET", `/videos/${videoId}/status`));
    if (!finished) setTimeout(poll, 3000);
  };
  poll();
}
