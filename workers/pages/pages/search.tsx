import type { SearchAnswer } from "../../services/search";
import { formatDuration } from "../components/format";
import { VideoCard } from "../components/video-card";

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);

/**
 * The API's highlight is escaped text with <mark> around matches. It is split back into
 * text and marks and rendered as JSX (escaped again), so it can never carry markup of its own.
 */
export const Highlighted = ({ html }: { html: string }) => (
  <>
    {html
      .split(/(<mark>[\s\S]*?<\/mark>)/)
      .map((part) => (part.startsWith("<mark>") ? <mark>{unescapeHtml(part.slice(6, -7))}</mark> : unescapeHtml(part)))}
  </>
);

/** Where a hit's words are said (its captions matched): each a link that plays from there. */
const Moments = ({ id, moments }: { id: string; moments: { start: number; text: string }[] }) => (
  <ul class="moments" aria-label="Where it is said">
    {moments.map((m) => (
      <li>
        <a href={`/watch/${id}?t=${Math.floor(m.start)}`}>
          <span class="moment-time">{formatDuration(m.start)}</span> <Highlighted html={m.text} />
        </a>
      </li>
    ))}
  </ul>
);

const SORTS = { relevance: "Relevance", date: "Upload date", views: "View count" } as const;
const LENGTHS = { "": "Any length", short: "Under 4 minutes", medium: "4-20 minutes", long: "Over 20 minutes" };

export const SearchPage = (props: { q: string; sort: string; duration: string; results: SearchAnswer | null }) => (
  <>
    <h1>{props.q ? `Results for "${props.q}"` : "Search"}</h1>
    <form action="/search" method="get" class="row search-filters">
      <input type="hidden" name="q" value={props.q} />
      <label for="sort">Sort by</label>
      <select id="sort" name="sort">
        {Object.entries(SORTS).map(([value, label]) => (
          <option value={value} selected={value === props.sort}>
            {label}
          </option>
        ))}
      </select>
      <label for="duration">Length</label>
      <select id="duration" name="duration">
        {Object.entries(LENGTHS).map(([value, label]) => (
          <option value={value} selected={value === props.duration}>
            {label}
          </option>
        ))}
      </select>
      <button type="submit">Apply</button>
    </form>
    {props.results?.corrected_query ? (
      <p>
        Showing results for <strong>{props.results.corrected_query}</strong>
      </p>
    ) : null}
    {!props.q || !props.results ? (
      <p class="empty">Type what you are looking for in the search box.</p>
    ) : props.results.items.length === 0 ? (
      <p class="empty">No videos match.</p>
    ) : (
      <>
        <p class="muted">{props.results.total} results</p>
        <ul class="video-grid">
          {props.results.items.map((item) => (
            <VideoCard
              video={item}
              title={<Highlighted html={item.highlight.title} />}
              extra={item.moments ? <Moments id={item.id} moments={item.moments} /> : null}
            />
          ))}
        </ul>
      </>
    )}
  </>
);
