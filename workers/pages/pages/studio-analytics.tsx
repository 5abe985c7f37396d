import type { ChannelAnalytics, VideoAnalytics } from "../../schemas/analytics";
import { formatDuration } from "../components/format";

type Figures = Omit<VideoAnalytics, "video">;

/** A three-column table's one row when the range has no views. */
const NoViews = () => (
  <tr>
    <td colspan={3} class="muted">
      No views in this range.
    </td>
  </tr>
);

/** The ranges the page offers, in days (the API takes any range up to 400 days). */
export const RANGE_DAYS = [7, 28, 90, 365] as const;
/** Hourly figures cover at most this many days (services/analytics.ts). */
export const HOURLY_DAYS = 31;

const SOURCES: Record<string, string> = {
  home: "Home page",
  search: "Search",
  recommended: "Recommendations",
  related: "Related videos",
  subscriptions: "Subscriptions",
  channel: "Channel page",
  playlist: "Playlists",
  external: "Other websites",
  direct: "Direct or unknown",
};
const DEVICES: Record<string, string> = {
  desktop: "Computer",
  mobile: "Phone",
  tablet: "Tablet",
  tv: "TV",
  other: "Other",
};

let regionNames: Intl.DisplayNames | undefined;
/** A country's English name ("DE" -> "Germany"), its code where the runtime has no name for it. */
function regionName(code: string): string {
  if (code === "ZZ") return "Unknown";
  try {
    regionNames ??= new Intl.DisplayNames(["en"], { type: "region" });
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const whole = new Intl.NumberFormat("en");
/** Views may be estimates (sampled): shown as whole numbers. */
const count = (n: number) => whole.format(Math.round(n));
/** Watch time: minutes and seconds under an hour, else hours to a tenth. */
const watchTime = (seconds: number) =>
  seconds < 3600 ? formatDuration(seconds) || "0:00" : `${(seconds / 3600).toFixed(1)} h`;

/** A bucket's start as the table names it: a day, or a day and an hour (UTC). */
const bucketLabel = (t: string, granularity: "hour" | "day") =>
  granularity === "day" ? t.slice(0, 10) : `${t.slice(0, 10)} ${t.slice(11, 16)}`;

/** The range form: preset ranges and the buckets, by GET, so a range is a link. */
const RangeForm = (props: { days: number; granularity: "hour" | "day" }) => (
  <form method="get" class="row analytics-range" aria-label="Range">
    <label for="range-days">Range</label>
    <select id="range-days" name="days">
      {RANGE_DAYS.map((d) => (
        <option value={String(d)} selected={d === props.days}>
          Last {d} days
        </option>
      ))}
    </select>
    <label for="range-granularity">By</label>
    <select id="range-granularity" name="granularity">
      <option value="day" selected={props.granularity === "day"}>
        day
      </option>
      <option value="hour" selected={props.granularity === "hour"}>
        hour (up to {HOURLY_DAYS} days)
      </option>
    </select>
    <button type="submit">Show</button>
  </form>
);

/** Views by one dimension as a table: name, views, share of all views. */
const ShareTable = (props: {
  id: string;
  caption: string;
  heading: string;
  rows: { name: string; views: number }[];
  total: number;
}) => (
  <table id={props.id} class="analytics-table">
    <caption>{props.caption}</caption>
    <thead>
      <tr>
        <th scope="col">{props.heading}</th>
        <th scope="col">Views</th>
        <th scope="col">Share</th>
      </tr>
    </thead>
    <tbody>
      {props.rows.length ? (
        props.rows.map((r) => (
          <tr>
            <th scope="row">{r.name}</th>
            <td>{count(r.views)}</td>
            <td>
              <span class="share-bar" style={`--share: ${props.total ? r.views / props.total : 0}`} />
              {props.total ? percent(r.views / props.total) : "—"}
            </td>
          </tr>
        ))
      ) : (
        <NoViews />
      )}
    </tbody>
  </table>
);

/**
 * Every figure of an analytics answer as tables, readable without a script; the page's script
 * (web/client/analytics.ts) draws the views and the retention curve as charts above their
 * tables, from the tables' own data.
 */
export const AnalyticsFigures = (props: { figures: Figures }) => {
  const f = props.figures;
  const q = f.quality;
  return (
    <>
      <p class="muted">
        {f.from.slice(0, 16).replace("T", " ")} to {f.to.slice(0, 16).replace("T", " ")} UTC
        {f.sampled ? " · estimated from sampled events" : ""}
      </p>
      {f.totals.views === 0 ? (
        <p class="empty">No views in this range yet. A view shows here within minutes of being watched.</p>
      ) : null}
      <dl class="analytics-summary">
        <div>
          <dt>Views</dt>
          <dd id="total-views">{count(f.totals.views)}</dd>
        </div>
        <div>
          <dt>Watch time</dt>
          <dd>{watchTime(f.totals.watch_seconds)}</dd>
        </div>
        <div>
          <dt>Average view duration</dt>
          <dd>{formatDuration(f.average_view_seconds)}</dd>
        </div>
      </dl>

      <section aria-labelledby="views-heading">
        <h2 id="views-heading">Views over time</h2>
        <div id="views-chart" class="chart" hidden />
        <div class="table-scroll">
          <table id="views-table" class="analytics-table" data-granularity={f.granularity}>
            <caption>Views and watch time by {f.granularity} (UTC)</caption>
            <thead>
              <tr>
                <th scope="col">{f.granularity === "day" ? "Day" : "Hour"}</th>
                <th scope="col">Views</th>
                <th scope="col">Watch time</th>
              </tr>
            </thead>
            <tbody>
              {f.views.map((b) => (
                <tr data-t={b.t} data-views={String(b.views)} data-watch={String(b.watch_seconds)}>
                  <th scope="row">{bucketLabel(b.t, f.granularity)}</th>
                  <td>{count(b.views)}</td>
                  <td>{formatDuration(b.watch_seconds) || "0:00"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="retention-heading">
        <h2 id="retention-heading">Audience retention</h2>
        <div id="retention-chart" class="chart" hidden />
        <table
          id="retention-table"
          class="analytics-table"
          data-retention={JSON.stringify(f.retention.map((r) => Math.round(r * 10_000) / 10_000))}
        >
          <caption>Share of viewers still watching at each point of the video</caption>
          <thead>
            <tr>
              <th scope="col">Into the video</th>
              <th scope="col">Still watching</th>
            </tr>
          </thead>
          <tbody>
            {f.retention
              .map((share, i) => ({ share, i }))
              .filter(({ i }) => i % 10 === 0)
              .map(({ share, i }) => (
                <tr>
                  <th scope="row">{i}%</th>
                  <td>{percent(share)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="audience-heading" class="analytics-audience">
        <h2 id="audience-heading">Where views came from</h2>
        <ShareTable
          id="sources-table"
          caption="Traffic sources"
          heading="Source"
          rows={f.sources.map((s) => ({ name: SOURCES[s.source] ?? s.source, views: s.views }))}
          total={f.totals.views}
        />
        <ShareTable
          id="regions-table"
          caption="Regions"
          heading="Region"
          rows={f.regions.map((r) => ({ name: regionName(r.region), views: r.views }))}
          total={f.totals.views}
        />
        <ShareTable
          id="devices-table"
          caption="Devices"
          heading="Device"
          rows={f.devices.map((d) => ({ name: DEVICES[d.device] ?? d.device, views: d.views }))}
          total={f.totals.views}
        />
      </section>

      <section aria-labelledby="quality-heading">
        <h2 id="quality-heading">Playback quality</h2>
        <table id="quality-table" class="analytics-table">
          <caption>How playback went for viewers</caption>
          <tbody>
            <tr>
              <th scope="row">Startup time, median</th>
              <td>{q.startup_ms_p50 === null ? "—" : `${count(q.startup_ms_p50)} ms`}</td>
            </tr>
            <tr>
              <th scope="row">Startup time, 95th percentile</th>
              <td>{q.startup_ms_p95 === null ? "—" : `${count(q.startup_ms_p95)} ms`}</td>
            </tr>
            <tr>
              <th scope="row">Rebuffering (share of watch time)</th>
              <td>{percent(q.rebuffer_ratio)}</td>
            </tr>
            <tr>
              <th scope="row">Sessions with a playback error</th>
              <td>{percent(q.error_rate)}</td>
            </tr>
          </tbody>
        </table>
      </section>
    </>
  );
};

/** `/studio/videos/{id}/analytics`: one video's figures (its owner's). */
export const VideoAnalyticsPage = (props: { analytics: VideoAnalytics; days: number; granularity: "hour" | "day" }) => {
  const { video } = props.analytics;
  return (
    <>
      <p>
        <a href="/studio">Your videos</a> · <a href="/studio/analytics">Channel analytics</a> ·{" "}
        <a href={`/watch/${video.id}`}>Watch</a>
      </p>
      <h1>Analytics: {video.title}</h1>
      <RangeForm days={props.days} granularity={props.granularity} />
      <AnalyticsFigures figures={props.analytics} />
    </>
  );
};

/** `/studio/analytics`: the signed-in user's channel, all its videos together, and its most viewed. */
export const ChannelAnalyticsPage = (props: {
  analytics: ChannelAnalytics;
  days: number;
  granularity: "hour" | "day";
}) => {
  const a = props.analytics;
  return (
    <>
      <p>
        <a href="/studio">Your videos</a>
      </p>
      <h1>Channel analytics: {a.channel.name}</h1>
      <RangeForm days={props.days} granularity={props.granularity} />
      <AnalyticsFigures figures={a} />
      <section aria-labelledby="top-heading">
        <h2 id="top-heading">Top videos</h2>
        <table id="top-videos-table" class="analytics-table">
          <caption>The channel's most viewed videos in this range</caption>
          <thead>
            <tr>
              <th scope="col">Video</th>
              <th scope="col">Views</th>
              <th scope="col">Watch time</th>
            </tr>
          </thead>
          <tbody>
            {a.top_videos.length ? (
              a.top_videos.map((v) => (
                <tr>
                  <th scope="row">
                    {v.title === null ? (
                      <span class="muted">A deleted video</span>
                    ) : (
                      <a href={`/studio/videos/${v.video_id}/analytics`}>{v.title}</a>
                    )}
                  </th>
                  <td>{count(v.views)}</td>
                  <td>{watchTime(v.watch_seconds)}</td>
                </tr>
              ))
            ) : (
              <NoViews />
            )}
          </tbody>
        </table>
      </section>
    </>
  );
};
