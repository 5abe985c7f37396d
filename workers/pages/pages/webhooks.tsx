import type { DeliveryOut, WebhookOut } from "../../schemas/webhooks";
import { WEBHOOK_EVENTS } from "../../schemas/webhooks";
import type { getDelivery } from "../../services/webhooks";
import { timeAgo } from "../components/format";
import { CsrfField } from "../components/layout";

/** What each event means, as the form offers it. */
const EVENT_WORDS: Record<(typeof WEBHOOK_EVENTS)[number], string> = {
  "video.ready": "A video is ready to play",
  "video.failed": "A video failed to process",
  "video.deleted": "A video was deleted",
  "video.blocked": "A moderator blocked a video",
  "video.captions_ready": "Captions are ready",
  "comment.created": "Someone commented",
  "comment.held": "A comment is held for review",
};

/** A secret is shown once, where it was made (a new endpoint, a rotation): copy it now. */
const SecretOnce = (props: { secret: string; rotated?: boolean }) => (
  <div class="secret-once" role="alert">
    <p>
      <strong>{props.rotated ? "The new signing secret" : "The signing secret"}</strong> — copy it now: it is not shown
      again.{props.rotated ? " The previous one keeps signing beside it for 24 hours." : ""}
    </p>
    <input readonly value={props.secret} aria-label="Signing secret" id="webhook-secret" class="secret" />
  </div>
);

const EndpointState = (props: { endpoint: WebhookOut }) =>
  props.endpoint.enabled ? (
    <span class="badge status-ready">enabled</span>
  ) : (
    <span class="badge status-failed">{props.endpoint.disabled_reason === "gone" ? "disabled (410)" : "disabled"}</span>
  );

/** `/studio/webhooks`: the user's endpoints and a form for a new one. */
export const WebhooksPage = (props: {
  endpoints: WebhookOut[];
  created?: { id: string; secret: string };
  errors?: string[];
  form?: { url?: string; description?: string; events?: string[] };
}) => (
  <>
    <h1>Webhooks</h1>
    <p class="muted">
      Your server hears, signed per <a href="https://www.standardwebhooks.com/">Standard Webhooks</a>, what happens to
      your videos and the comments on them.
    </p>
    {props.created ? <SecretOnce secret={props.created.secret} /> : null}
    {props.endpoints.length ? (
      <ul class="studio-list" aria-label="Endpoints">
        {props.endpoints.map((e) => (
          <li class="studio-item">
            <div class="studio-head">
              <a href={`/studio/webhooks/${e.id}`}>{e.url}</a>
              <EndpointState endpoint={e} />
            </div>
            <span class="muted">
              {e.events.join(", ")}
              {e.description ? ` · ${e.description}` : ""}
            </span>
          </li>
        ))}
      </ul>
    ) : (
      <p class="empty">No endpoints yet.</p>
    )}
    <form action="/studio/webhooks" method="post" class="stack narrow-form">
      <h2>Add an endpoint</h2>
      <CsrfField />
      {props.errors?.length ? (
        <ul class="form-error" role="alert">
          {props.errors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      ) : null}
      <label for="webhook-url">URL (https://)</label>
      <input id="webhook-url" name="url" type="url" required maxlength={2000} value={props.form?.url ?? ""} />
      <fieldset class="stack">
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((event) => (
          <label class="choice">
            <input
              type="checkbox"
              name="events"
              value={event}
              checked={props.form?.events ? props.form.events.includes(event) : event === "video.ready"}
            />{" "}
            <code>{event}</code> {EVENT_WORDS[event]}
          </label>
        ))}
      </fieldset>
      <label for="webhook-description">Description (optional)</label>
      <input id="webhook-description" name="description" maxlength={500} value={props.form?.description ?? ""} />
      <button type="submit">Add endpoint</button>
    </form>
  </>
);

/** `/studio/webhooks/{id}`: one endpoint, its controls, and its deliveries log. */
export const WebhookPage = (props: {
  endpoint: WebhookOut;
  deliveries: DeliveryOut[];
  secret?: string;
  notice?: string;
}) => {
  const { endpoint } = props;
  const base = `/studio/webhooks/${endpoint.id}`;
  return (
    <>
      <p>
        <a href="/studio/webhooks">← Webhooks</a>
      </p>
      <h1 class="break">{endpoint.url}</h1>
      <p>
        <EndpointState endpoint={endpoint} /> <span class="muted">{endpoint.events.join(", ")}</span>
      </p>
      {endpoint.description ? <p>{endpoint.description}</p> : null}
      {props.notice ? <p role="status">{props.notice}</p> : null}
      {props.secret ? <SecretOnce secret={props.secret} rotated /> : null}
      <div class="row">
        <form action={`${base}/test`} method="post">
          <CsrfField />
          <button type="submit" disabled={!endpoint.enabled}>
            Send a test event
          </button>
        </form>
        <form action={`${base}/enabled`} method="post">
          <CsrfField />
          <input type="hidden" name="enabled" value={endpoint.enabled ? "false" : "true"} />
          <button type="submit">{endpoint.enabled ? "Disable" : "Enable"}</button>
        </form>
        <form action={`${base}/rotate`} method="post">
          <CsrfField />
          <button type="submit">Rotate secret</button>
        </form>
        <form action={`${base}/delete`} method="post">
          <CsrfField />
          <button type="submit" class="danger">
            Delete endpoint
          </button>
        </form>
      </div>
      <h2>Deliveries</h2>
      {props.deliveries.length ? (
        <table class="moderation-log deliveries">
          <thead>
            <tr>
              <th>Event</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Last answer</th>
              <th>Next attempt</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.deliveries.map((d) => (
              <tr>
                <td>
                  <a href={`${base}/deliveries/${d.id}`}>{d.type}</a>
                </td>
                <td>
                  <span
                    class={`badge ${d.status === "succeeded" ? "status-ready" : d.status === "failed" ? "status-failed" : ""}`}
                  >
                    {d.status}
                  </span>
                </td>
                <td>{d.attempts}</td>
                <td>{d.response_status ?? "—"}</td>
                <td>{d.next_attempt_at ? timeAgo(d.next_attempt_at) : "—"}</td>
                <td>{timeAgo(d.created_at)}</td>
                <td>
                  <form action={`${base}/deliveries/${d.id}/retry`} method="post">
                    <CsrfField />
                    <button type="submit" disabled={!endpoint.enabled}>
                      Retry
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="empty">Nothing sent yet. Send a test event to see one here.</p>
      )}
    </>
  );
};

type Delivery = Awaited<ReturnType<typeof getDelivery>>;

/** One delivery: the body it sends, and what each attempt got back. */
export const DeliveryPage = (props: { endpoint: WebhookOut; delivery: Delivery }) => {
  const { endpoint, delivery } = props;
  const base = `/studio/webhooks/${endpoint.id}`;
  return (
    <>
      <p>
        <a href={base}>← {endpoint.url}</a>
      </p>
      <h1>
        <code>{delivery.type}</code> <span class="badge">{delivery.status}</span>
      </h1>
      <p class="muted">
        webhook-id <code>{delivery.event_id}</code> · {delivery.attempts} attempt{delivery.attempts === 1 ? "" : "s"}
        {delivery.next_attempt_at ? ` · next ${timeAgo(delivery.next_attempt_at)}` : ""}
      </p>
      <form action={`${base}/deliveries/${delivery.id}/retry`} method="post">
        <CsrfField />
        <button type="submit" disabled={!endpoint.enabled}>
          Retry now
        </button>
      </form>
      <h2>Attempts</h2>
      {delivery.attempt_log.length ? (
        <ol class="attempts">
          {delivery.attempt_log.map((a) => (
            <li>
              <strong>{a.response_status ?? a.error}</strong>{" "}
              <span class="muted">
                {timeAgo(a.at)} · {a.duration_ms} ms
              </span>
              {a.response_body ? <pre class="body-excerpt">{a.response_body}</pre> : null}
            </li>
          ))}
        </ol>
      ) : (
        <p class="empty">Not attempted yet.</p>
      )}
      <h2>Body</h2>
      <pre class="body-excerpt">{delivery.payload}</pre>
    </>
  );
};
