// ffprobe's answer read into the job's metadata, and into a failure code when it is no video.
import { open } from "node:fs/promises";
import { SNIFF_BYTES, sniffContainer } from "../../contracts/video-containers.ts";
import { JobFailure, type Metadata } from "./protocol.ts";
import { type ProbeData, probe } from "./run.ts";

const rate = (fraction?: string) => {
  const [n, d] = (fraction ?? "0/1").split("/").map(Number);
  return d ? (n ?? 0) / d : 0;
};

/** The first bytes of a file, as many as the container sniff reads. */
async function head(file: string): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const { buffer, bytesRead } = await handle.read(new Uint8Array(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Reads the source. When ffprobe cannot parse it, the container's magic bytes decide: a
 * known video container (an MP4 whose `ftyp` is there but whose `moov` was cut off, as an
 * interrupted copy leaves it) is `malformed_video`; anything else is `non_video`. A file
 * without a video stream is `non_video` too.
 */
export async function probeSource(file: string, maxDurationSeconds: number): Promise<Metadata> {
  let data: ProbeData;
  try {
    data = await probe(file);
  } catch {
    if (sniffContainer(await head(file)) === null) {
      throw new JobFailure("non_video", "The file is not a video that can be read.");
    }
    throw new JobFailure(
      "malformed_video",
      "The file looks like a video but could not be read; it may be truncated or damaged.",
    );
  }
  const video = data.streams.find((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1);
  if (!video?.width || !video.height) throw new JobFailure("non_video", "The file has no video stream.");
  const audio = data.streams.find((s) => s.codec_type === "audio");
  const sideRotation = video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  const rotation = ((Number(sideRotation ?? video.tags?.rotate ?? 0) % 360) + 360) % 360;
  const turned = rotation === 90 || rotation === 270;
  const duration = Number(data.format.duration ?? video.duration ?? 0);
  if (!(duration > 0))
    throw new JobFailure("malformed_video", "The video's duration could not be read; it may be truncated.");
  if (duration > maxDurationSeconds) {
    throw new JobFailure(
      "duration_too_long",
      `The video is ${Math.round(duration)} s long; the limit is ${maxDurationSeconds} s.`,
    );
  }
  return {
    duration,
    // ffmpeg rotates on decode, so outputs follow the displayed orientation.
    width: turned ? video.height : video.width,
    height: turned ? video.width : video.height,
    codec: video.codec_name ?? "unknown",
    bitrate: Number(data.format.bit_rate ?? video.bit_rate ?? 0) || 0,
    frame_rate: rate(video.avg_frame_rate) || rate(video.r_frame_rate) || 30,
    has_audio: Boolean(audio),
    rotation,
  };
}
