import type { AuthUser } from "../../env";
import { Layout } from "../components/layout";
import { type CardVideo, VideoSection } from "../components/video-card";

export interface SearchResults {
  items: (CardVideo & { highlight?: { title: string; description: string } })[];
  total: number;
  corrected_query?: string;
}

/** `results` null: search is not served by this deployment yet. */
export const SearchPage = (props: {
  user: AuthUser | undefined;
  csrf: string | undefined;
  q: string;
  results: SearchResults | null;
}) => (
  <Layout title={props.q ? `${props.q} - Search` : "Search"} user={props.user} csrf={props.csrf} query={props.q}>
    <h1>{props.q ? `Results for "${props.q}"` : "Search"}</h1>
    {props.results?.corrected_query ? (
      <p>
        Showing results for <strong>{props.results.corrected_query}</strong>
      </p>
    ) : null}
    {!props.q ? (
      <p class="empty">Type what you are looking for in the search box.</p>
    ) : props.results === null ? (
      <p class="empty">Search is not available yet.</p>
    ) : (
      <VideoSection title={`${props.results.total} results`} videos={props.results.items} empty="No videos match." />
    )}
  </Layout>
);
