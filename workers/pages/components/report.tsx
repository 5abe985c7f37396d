import { REPORT_REASONS } from "../../schemas/moderation";

/** What each report reason says to the person reporting. */
export const REASON_WORDS: Record<(typeof REPORT_REASONS)[number], string> = {
  violent_or_repulsive: "Violent or repulsive content",
  hateful_or_abusive: "Hateful or abusive content",
  spam_or_misleading: "Spam or misleading",
  privacy: "Infringes my privacy",
  rights: "Infringes my rights (copyright, trademark)",
  sexual_content: "Sexual content",
  child_safety: "Child safety",
  other: "Something else",
};

/**
 * The report dialog of the watch page (web/client/report.ts opens it for the video or a
 * comment and sends `POST /api/v1/reports`). For a video, the time the player is at is
 * filled in as where the problem starts.
 */
export const ReportDialog = () => (
  <dialog id="report-dialog" class="report-dialog" aria-labelledby="report-title">
    <form method="dialog" class="stack" id="report-form">
      <h2 id="report-title">Report</h2>
      <fieldset>
        <legend>What is wrong?</legend>
        {REPORT_REASONS.map((reason, i) => (
          <label class="choice">
            <input type="radio" name="reason" value={reason} required checked={i === 0} /> {REASON_WORDS[reason]}
          </label>
        ))}
      </fieldset>
      <div class="report-times" id="report-times">
        <label for="report-start">From (seconds)</label>
        <input id="report-start" name="start_at" type="number" min={0} step="any" inputmode="decimal" />
        <label for="report-end">To (seconds, optional)</label>
        <input id="report-end" name="end_at" type="number" min={0} step="any" inputmode="decimal" />
      </div>
      <label for="report-message">Anything a moderator should know (optional)</label>
      <textarea id="report-message" name="message" rows={3} maxlength={3000} />
      <p id="report-status" role="status" class="muted" />
      <div class="dialog-actions">
        <button type="submit" value="send" id="report-send">
          Send report
        </button>
        <button type="button" value="cancel" id="report-cancel" class="secondary">
          Cancel
        </button>
      </div>
    </form>
  </dialog>
);
