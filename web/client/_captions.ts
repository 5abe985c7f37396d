// Captions on the watch page: hls.js light plays no subtitles, so the tracks are sidecar
// <track kind="subtitles"> elements (the platform's WebVTT files), which hls-video copies
// into its inner <video> and media-chrome's captions menu lists. This turns on the track in
// the viewer's language, once, when there is one; the viewer's own choice is never undone.

/**
 * The index of the track for the first of `preferred` (the browser's languages) that any
 * track serves: its exact tag first (`pt-BR`), then its language alone (`pt`); -1 for none.
 */
export function preferredTrack(tracks: readonly string[], preferred: readonly string[]): number {
  const lower = tracks.map((t) => t.toLowerCase());
  for (const wanted of preferred.map((p) => p.toLowerCase())) {
    const exact = lower.indexOf(wanted);
    if (exact >= 0) return exact;
    const base = wanted.split("-")[0] ?? "";
    const near = lower.findIndex((t) => t.split("-")[0] === base);
    if (near >= 0) return near;
  }
  return -1;
}

/** Marks the viewer's track default and shows it once the media knows its tracks. */
export function showCaptionsInViewerLanguage(video: HTMLVideoElement, languages = navigator.languages) {
  const elements = Array.from(video.querySelectorAll<HTMLTrackElement>("track[kind=subtitles]"));
  const chosen =
    elements[
      preferredTrack(
        elements.map((t) => t.srclang),
        languages,
      )
    ];
  if (!chosen) return;
  chosen.default = true;
  const show = () => {
    const tracks = Array.from(video.textTracks).filter((t) => t.kind === "subtitles");
    if (tracks.some((t) => t.mode === "showing")) return;
    const track = tracks.find((t) => t.language === chosen.srclang);
    if (track) track.mode = "showing";
  };
  // Run after the first frame (watch.ts), the media usually knows its tracks already.
  if (video.readyState >= 1) show();
  else video.addEventListener("loadedmetadata", show, { once: true });
}
