// The watch page's report dialog: "Report" on the video (and on a comment) opens it; a video
// report starts at the time the player is at. Sends POST /api/v1/reports and says how it went.
import { ApiError, api, byId } from "./_api";

const dialog = byId<HTMLDialogElement>("report-dialog");
const form = byId<HTMLFormElement>("report-form");
const status = byId("report-status");
const times = byId("report-times");
const send = byId<HTMLButtonElement>("report-send");
let target: { type: string; id: string } | undefined;

const seconds = (value: FormDataEntryValue | null) => {
  const n = Number(value);
  return value === null || value === "" || !Number.isFinite(n) ? undefined : n;
};

// Delegated: comments added live carry the same data attributes as those rendered with the page.
document.addEventListener("click", (event) => {
  const button = (event.target as Element | null)?.closest<HTMLElement>("[data-report-type][data-report-id]");
  const { reportType, reportId } = button?.dataset ?? {};
  if (!button || !dialog || !form || !reportType || !reportId || button.tagName === "A") return;
  target = { type: reportType, id: reportId };
  form.reset();
  if (status) status.textContent = "";
  const isVideo = target.type === "video";
  if (times) times.hidden = !isVideo;
  const player = document.querySelector<HTMLVideoElement>("#video");
  const start = byId<HTMLInputElement>("report-start");
  if (start) start.value = isVideo && player ? String(Math.floor(player.currentTime)) : "";
  if (send) send.disabled = false;
  dialog.showModal();
});

byId("report-cancel")?.addEventListener("click", () => dialog?.close());

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!target || !status || !send) return;
  const data = new FormData(form);
  const body: Record<string, unknown> = { target, reason: data.get("reason") };
  const message = String(data.get("message") ?? "").trim();
  if (message) body.message = message;
  if (target.type === "video") {
    const [start, end] = [seconds(data.get("start_at")), seconds(data.get("end_at"))];
    if (start !== undefined) body.start_at = start;
    if (end !== undefined) body.end_at = end;
  }
  send.disabled = true;
  try {
    await api("POST", "/reports", body);
    status.textContent = "Thanks. A moderator will look at it; you will be told the outcome.";
    setTimeout(() => dialog?.close(), 1500);
  } catch (err) {
    status.textContent =
      err instanceof ApiError && err.code === "already_reported"
        ? "You reported this already; a moderator will look at it."
        : `Could not send the report: ${err instanceof Error ? err.message : String(err)}`;
    send.disabled = err instanceof ApiError && err.code === "already_reported";
  }
});
