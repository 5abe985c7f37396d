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

/**
 * A spoken clip's ffmpeg options: `wavs` (speech, e.g. from espeak-ng) with `pause` seconds of
 * silence before, between and after them, under a testsrc2 picture; H.264/AAC. The caller
 * adds the output file.
 */
export const spokenVideo = (wavs: readonly string[], pause: number) => {
  const silence = ["-f", "lavfi", "-t", String(pause), "-i", "anullsrc=r=22050:cl=mono"];
  const inputs = [...silence, ...wavs.flatMap((wav) => ["-i", wav, ...silence])];
  const parts = wavs.length * 2 + 1;
  const audio = `${Array.from({ length: parts }, (_, i) => `[${i}:a]`).join("")}concat=n=${parts}:v=0:a=1[a]`;
  return [
    ...inputs,
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x180:rate=25",
    "-filter_complex",
    audio,
    "-map",
    `${parts}:v`,
    "-map",
    "[a]",
    "-shortest",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-ar",
    "44100",
  ];
};

/** Phrases pocketsphinx's US English model hears reliably in espeak-ng's en-us voice. */
export const PHRASES = ["hello world", "please open the door", "good morning everyone", "one two three four five"];

/** espeak-ng's arguments for one phrase written to `wav`. */
export const espeakArgs = (phrase: string, wav: string) => ["-v", "en-us", "-s", "140", "-w", wav, phrase];
