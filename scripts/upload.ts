// npm run upload -- FILE --title "..." [options]
//
// Uploads a video with the spec's chunk protocol: initiate, one PUT per part, complete.
// Each part streams from disk and is retried with exponential backoff (network errors,
// 5xx, 429 with Retry-After); a 4xx problem stops with its message. An interrupted run
// (Ctrl-C, crash, lost network) resumes where it stopped: the upload id is remembered per
// file in ~/.cloudtube/uploads.json and the server's part list says what is missing.
import { createReadStream, statSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { failure, ProblemError, withRetries } from "./upload/retry.ts";
import { missingParts, UploadState } from "./upload/state.ts";

const CONTENT_TYPES: Record<string, string> = {
  mp4: "video/mp4",
  m4v: "video/x-m4v",
  mov: "video/quicktime",
  webm: "video/webm",
  mkv: "video/x-matroska",
  avi: "video/x-msvideo",
  ts: "video/mp2t",
  mpg: "video/mpeg",
  mpeg: "video/mpeg",
  "3gp": "video/3gpp",
  flv: "video/x-flv",
};

const usage = `usage: npm run upload -- FILE --title TITLE [--description TEXT] [--tags a,b]
         [--visibility public|unlisted|private] [--category NAME]
         [--api URL (default http://127.0.0.1:8787)] [--token TOKEN | --email E --password P]
  The token may also come from CLOUDTUBE_TOKEN.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    title: { type: "string" },
    description: { type: "string" },
    tags: { type: "string" },
    category: { type: "string" },
    visibility: { type: "string" },
    api: { type: "string", default: process.env.CLOUDTUBE_API ?? "http://127.0.0.1:8787" },
    token: { type: "string" },
    email: { type: "string" },
    password: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const file = positionals[0];
if (values.help || !file) fail(usage);
if (!values.title) fail(`--title is required\n${usage}`);
const api = values.api!.replace(/\/$/, "");
const stat = (() => {
  try {
    return statSync(file);
  } catch {
    return fail(`cannot read ${file}`);
  }
})();
const size = stat.size;
const ext = path.extname(file).slice(1).toLowerCase();
const contentType = CONTENT_TYPES[ext] ?? "application/octet-stream";

async function call<T>(what: string, url: string, init: RequestInit = {}): Promise<T> {
  return withRetries(
    async () => {
      const res = await fetch(url, init);
      if (!res.ok) throw await failure(res, what);
      return (res.status === 204 ? undefined : await res.json()) as T;
    },
    {
      onRetry: (err, wait, attempt) =>
        console.error(`${what}: ${err.message}; retry ${attempt} in ${(wait / 1000).toFixed(1)} s`),
    },
  );
}

async function token(): Promise<string> {
  const given = values.token ?? process.env.CLOUDTUBE_TOKEN;
  if (given) return given;
  if (!values.email || !values.password)
    fail(`sign in with --token, CLOUDTUBE_TOKEN or --email and --password\n${usage}`);
  const session = await call<{ token: string }>("login", `${api}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: values.email, password: values.password }),
  });
  return session.token;
}

interface UploadInfo {
  upload_id: string;
  video_id: string;
  part_size: number;
  part_count: number;
}
interface UploadStatus extends UploadInfo {
  status: string;
  parts: { part: number; size: number }[];
}

async function main() {
  const auth = { Authorization: `Bearer ${await token()}` };
  const state = new UploadState();
  const key = UploadState.keyOf(api, file!, size, stat.mtimeMs);

  // Resume a known upload if the server still has it open.
  let upload: UploadInfo | undefined;
  let received: UploadStatus["parts"] = [];
  const known = state.get(key);
  if (known) {
    const res = await fetch(`${api}/api/v1/videos/upload/${known}`, { headers: auth }).catch(() => undefined);
    if (res?.ok) {
      const status = (await res.json()) as UploadStatus;
      if (status.status === "open") {
        upload = status;
        received = status.parts;
      } else if (status.status === "completed" || status.status === "completing") {
        upload = status;
        received = status.parts;
      }
    }
  }
  if (!upload) {
    upload = await call<UploadInfo>("initiate", `${api}/api/v1/videos/upload/initiate`, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({
        filename: path.basename(file!),
        size,
        content_type: contentType,
        title: values.title,
        ...(values.description ? { description: values.description } : {}),
        ...(values.tags
          ? {
              tags: values.tags
                .split(",")
                .map((t) => t.trim())
                .filter(Boolean),
            }
          : {}),
        ...(values.category ? { category: values.category } : {}),
        ...(values.visibility ? { visibility: values.visibility } : {}),
      }),
    });
    state.set(key, upload.upload_id);
  }
  const { upload_id, part_size, part_count } = upload;
  const partSize = (n: number) => (n < part_count ? part_size : size - part_size * (part_count - 1));
  const todo = missingParts(part_count, received, partSize);
  if (known && received.length)
    console.log(`resuming upload ${upload_id}: ${part_count - todo.length} of ${part_count} parts already there`);

  const tty = process.stdout.isTTY;
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: " {bar} {percentage}% | {sent}/{total} MB | {speed} MB/s | part {part}/{parts}", hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let sent = received.reduce((n, p) => n + p.size, 0);
  const started = Date.now();
  const startedAt = sent;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  bar?.start(size, sent, { sent: mb(sent), total: mb(size), speed: "0.0", part: 0, parts: part_count });

  for (const n of todo) {
    const start = (n - 1) * part_size;
    const length = partSize(n);
    await call(`part ${n}`, `${api}/api/v1/videos/upload/${upload_id}/chunk?part=${n}`, {
      method: "PUT",
      headers: { ...auth, "Content-Type": "application/octet-stream", "Content-Length": String(length) },
      // Streamed from disk: no part is held whole in memory.
      body: Readable.toWeb(createReadStream(file!, { start, end: start + length - 1 })) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    sent += length;
    const speed = (sent - startedAt) / 1e6 / Math.max(0.001, (Date.now() - started) / 1000);
    if (bar) bar.update(sent, { sent: mb(sent), speed: speed.toFixed(1), part: n });
    else console.log(`part ${n}/${part_count} sent (${mb(sent)}/${mb(size)} MB, ${speed.toFixed(1)} MB/s)`);
  }
  bar?.stop();

  const done = await call<{ video_id: string; status: string }>(
    "complete",
    `${api}/api/v1/videos/upload/${upload_id}/complete`,
    {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: "{}",
    },
  );
  state.set(key, undefined);
  console.log(`uploaded: video ${done.video_id} is ${done.status}`);
  console.log(`status:   ${api}/api/v1/videos/${done.video_id}/status`);
}

main().catch((err: unknown) => {
  if (err instanceof ProblemError) fail(`upload refused: ${err.message} (${err.code}, HTTP ${err.status})`);
  fail(`upload failed: ${err instanceof Error ? err.message : String(err)}`);
});
