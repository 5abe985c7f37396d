// The one recipe for generated test clips (testsrc2 pictures and a sine tone, H.264/AAC), shared
// by the transcoder's tests, the end-to-end tests and the benchmarks: ffmpeg input and
// output options, to which the caller adds the output file.

/** `codec` replaces the default x264 speed setting (a benchmark encodes as a camera would). */
export const testVideo = (
  size: string,
  seconds: number,
  extra: string[] = [],
  codec: string[] = ["-preset", "ultrafast"],
) => [
  "-f",
  "lavfi",
  "-i",
  `testsrc2=size=${size}:rate=30`,
  "-f",
  "lavfi",
  "-i",
  "sine=frequency=440:sample_rate=44100",
  "-t",
  String(seconds),
  "-c:v",
  "libx264",
  ...codec,
  "-pix_fmt",
  "yuv420p",
  "-c:a",
  "aac",
  "-shortest",
  ...extra,
];
