import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/**
 * Which upload a local file belongs to, so an interrupted run resumes instead of starting
 * over. Keyed by server, absolute path, size and modification time: a changed file starts
 * a new upload.
 */
export class UploadState {
  private readonly file: string;

  constructor(dir = process.env.CLOUDTUBE_STATE_DIR ?? path.join(homedir(), ".cloudtube")) {
    this.file = path.join(dir, "uploads.json");
  }

  static keyOf(api: string, filePath: string, size: number, mtimeMs: number): string {
    return `${api}|${path.resolve(filePath)}|${size}|${Math.floor(mtimeMs)}`;
  }

  private read(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.file, "utf8")) as Record<string, string>;
    } catch {
      return {};
    }
  }

  get(key: string): string | undefined {
    return this.read()[key];
  }

  set(key: string, uploadId: string | undefined): void {
    const all = this.read();
    if (uploadId) all[key] = uploadId;
    else delete all[key];
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(all, null, 2));
  }
}

/** The parts still to send, given the part count and what the server already has. */
export function missingParts(
  partCount: number,
  received: { part: number; size: number }[],
  expectedSize: (n: number) => number,
): number[] {
  const have = new Map(received.map((p) => [p.part, p.size]));
  const missing: number[] = [];
  for (let n = 1; n <= partCount; n++) if (have.get(n) !== expectedSize(n)) missing.push(n);
  return missing;
}
