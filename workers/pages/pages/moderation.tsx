import type { moderationLog } from "../../services/moderation";
import type { reportQueue } from "../../services/reports";
import { timeAgo } from "../components/format";
import { CsrfField } from "../components/layout";
import { REASON_WORDS } from "../components/report";

type Queue = Awaited<ReturnType<typeof reportQueue>>;
type Log = Awaited<ReturnType<typeof moderationLog>>;
type Item = Queue["items"][number];

/** Which actions the queue offers for each kind of target (the API refuses the others). */
const ACTIONS: Record<Item["target"]["type"], [string, string][]> = {
  video: [
    ["block_video", "Block the video"],
    ["suspend_user", "Suspend its owner"],
    ["dismiss", "Dismiss"],
  ],
  comment: [
    ["remove_comment", "Remove the comment"],
    ["suspend_user", "Suspend its author"],
    ["dismiss", "Dismiss"],
  ],
  user: [
    ["suspend_user", "Suspend the account"],
    ["dismiss", "Dismiss"],
  ],
};

const Target = ({ item }: { item: Item }) => {
  const t = item.target;
  if (t.type === "video") {
    return (
      <div class="queue-target">
        {t.thumbnail ? <img src={t.thumbnail} alt="" width={160} height={90} loading="lazy" /> : null}
        <a href={`/watch/${t.id}`}>{t.title ?? "(deleted video)"}</a>
        {t.owner ? <span class="muted"> by {t.owner.username}</span> : null}
        {t.blocked ? <span class="badge status-failed">blocked</span> : null}
      </div>
    );
  }
  if (t.type === "comment") {
    return (
      <div class="queue-target">
        <blockquote>{t.deleted ? "(removed)" : t.content}</blockquote>
        <span class="muted">
          by {t.author?.username ?? "?"}
          {t.video_id ? (
            <>
              {" "}
              on <a href={`/watch/${t.video_id}`}>the video</a>
            </>
          ) : null}
        </span>
      </div>
    );
  }
  return (
    <div class="queue-target">
      User <strong>{t.username ?? "(gone)"}</strong>
      {t.suspended ? <span class="badge status-failed">suspended</span> : null}
    </div>
  );
};

/** `/moderation`: the report queue, most reported first, with its actions; and the log. */
export const ModerationPage = (props: { queue: Queue; log: Log; state: string; notice?: string }) => (
  <>
    <h1>Moderation</h1>
    {props.notice ? <p role="status">{props.notice}</p> : null}
    <nav class="tabs" aria-label="Reports">
      {(["pending", "accepted", "rejected"] as const).map((state) => (
        <a href={`/moderation?state=${state}`} aria-current={state === props.state ? "page" : undefined}>
          {state}
        </a>
      ))}
    </nav>
    <h2>Reports</h2>
    {props.queue.items.length === 0 ? (
      <p class="empty">No {props.state} reports.</p>
    ) : (
      <ul class="stack" aria-label="Report queue">
        {props.queue.items.map((item) => (
          <li class="queue-item" data-report-id={item.id}>
            <Target item={item} />
            <p>
              <strong>{REASON_WORDS[item.reason]}</strong>
              {item.report_count > 1 ? ` · ${item.report_count} open reports` : ""}
              {item.start_at !== null ? ` · at ${Math.floor(item.start_at)} s` : ""}
              {" · "}
              <span class="muted">
                reported by {item.reporter?.username ?? "someone"} {timeAgo(item.created_at)}
              </span>
            </p>
            {item.message ? <blockquote>{item.message}</blockquote> : null}
            {item.state === "pending" ? (
              <form method="post" action={`/moderation/reports/${item.id}`} class="queue-actions">
                <CsrfField />
                <label>
                  Note <input name="note" maxlength={500} placeholder="Why (shown in the log)" />
                </label>
                {ACTIONS[item.target.type].map(([action, label]) => (
                  <button
                    type="submit"
                    name="action"
                    value={action}
                    class={action === "dismiss" ? "secondary" : "danger"}
                  >
                    {label}
                  </button>
                ))}
              </form>
            ) : (
              <p class="muted">
                {item.state}: {item.outcome}
              </p>
            )}
          </li>
        ))}
      </ul>
    )}
    <h2>Log</h2>
    <table class="moderation-log">
      <thead>
        <tr>
          <th>When</th>
          <th>Who</th>
          <th>What</th>
          <th>Target</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {props.log.items.map((line) => (
          <tr>
            <td>{timeAgo(line.created_at)}</td>
            <td>{line.actor.username ?? line.actor.id}</td>
            <td>{line.action.replaceAll("_", " ")}</td>
            <td>
              {line.target.type === "video" ? (
                <a href={`/watch/${line.target.id}`}>video {line.target.id}</a>
              ) : (
                `${line.target.type} ${line.target.id}`
              )}
            </td>
            <td>{line.reason ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </>
);
