/**
 * The player: media-chrome's controls around hls-video-element (hls.js), self-hosted in the
 * watch bundle. The script sets the source (after giving hls.js a loader hook that keeps a
 * private video's playback token fresh), so the element starts without `src`. media-chrome's
 * elements are defined after the first frame (web/client/player.ts); until then the inline
 * poster (a few kB in the HTML) is what the viewer sees, with no request for it.
 */
/** A caption track the player offers (a sidecar WebVTT file: hls.js light plays no subtitles). */
export interface PlayerCaption {
  language: string;
  label: string;
  url: string;
}

export const Player = (props: {
  title: string;
  poster: string | null;
  /** The small first frame as a data: URI: drawn with the HTML, before any script has run. */
  posterInline?: string | null;
  storyboardVtt: string | null;
  captions?: PlayerCaption[];
}) => (
  <media-controller
    class="player"
    id="player"
    breakpoints="sm:384 md:576"
    aria-label={`Video player: ${props.title}`}
    style={props.posterInline ? `background-image:url("${props.posterInline}")` : undefined}
  >
    <hls-video
      slot="media"
      id="video"
      crossorigin="anonymous"
      playsinline
      preload="auto"
      poster={props.posterInline ?? undefined}
    >
      {props.storyboardVtt ? <track kind="metadata" label="thumbnails" default src={props.storyboardVtt} /> : null}
      {(props.captions ?? []).map((c) => (
        <track kind="subtitles" srclang={c.language} label={c.label} src={c.url} />
      ))}
    </hls-video>
    <media-poster-image slot="poster" src={props.poster ?? ""} />
    <media-loading-indicator slot="centered-chrome" noautohide />
    <media-playback-rate-menu hidden anchor="auto" id="rate-menu" rates="0.5 0.75 1 1.25 1.5 1.75 2" />
    <media-rendition-menu hidden anchor="auto" id="rendition-menu" />
    {props.captions?.length ? <media-captions-menu hidden anchor="auto" id="captions-menu" /> : null}
    <media-control-bar>
      <media-play-button />
      <media-seek-backward-button seekoffset="10" />
      <media-seek-forward-button seekoffset="10" />
      <media-mute-button />
      <media-volume-range />
      <media-time-range />
      <media-time-display showduration />
      <span class="level-badge" id="current-level" title="Current quality" />
      {props.captions?.length ? (
        <media-captions-menu-button invoketarget="captions-menu" aria-label="Captions" />
      ) : null}
      <media-playback-rate-menu-button invoketarget="rate-menu" />
      <media-rendition-menu-button invoketarget="rendition-menu" aria-label="Quality" />
      <media-fullscreen-button />
    </media-control-bar>
  </media-controller>
);

/** A video still processing: live progress (from the room) instead of the player. */
export const Processing = (props: { status: string; progress: number; failed?: string | null }) => (
  <div class="processing" id="processing" role="status">
    {props.failed ? (
      <p>Processing failed: {props.failed}</p>
    ) : (
      <>
        <p>
          This video is <span id="processing-stage">{props.status}</span>; it plays as soon as the first quality is
          ready.
        </p>
        <progress id="processing-progress" max={100} value={props.progress} aria-label="Processing progress">
          {props.progress}%
        </progress>
        <span id="processing-percent">{props.progress}%</span>
      </>
    )}
  </div>
);
