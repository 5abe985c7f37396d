import { exports } from "cloudflare:workers";

const BASE = "http://cloudtube.test";
let counter = 0;

/** A client address of its own per caller, so that per-IP limits never couple tests. */
export const freshIp = () => `10.${(counter >> 16) & 255}.${(counter >> 8) & 255}.${counter++ & 255}`;

export interface Caller {
  token?: string;
  ip?: string;
}

/** A request to the Worker exactly as a client would send it. */
export function api(path: string, init: RequestInit & { json?: unknown; as?: Caller } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("CF-Connecting-IP", init.as?.ip ?? freshIp());
  if (init.as?.token) headers.set("Authorization", `Bearer ${init.as.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(init.json);
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers, body }));
}

export interface TestUser extends Caller {
  id: string;
  username: string;
  email: string;
  channel_id: string;
  token: string;
  password: string;
}

/** Registers a new user with unique names. */
export async function registerUser(): Promise<TestUser> {
  const n = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const password = "correct horse battery staple";
  const email = `user_${n}@example.com`;
  const res = await api("/api/v1/auth/register", { method: "POST", json: { email, username: `u_${n}`, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string; username: string; channel_id: string }; token: string };
  return { ...body.user, email, token: body.token, password, ip: freshIp() };
}

/** Bytes that begin like an MP4 (an `ftyp` box), followed by a recognisable pattern. */
export function mp4Bytes(size: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 255;
  const header = [0, 0, 0, 0x18, ...new TextEncoder().encode("ftypisom"), 0, 0, 2, 0];
  bytes.set(header.slice(0, Math.min(size, header.length)));
  return bytes;
}

export const MiB = 1024 * 1024;

export async function initiate(user: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await api("/api/v1/videos/upload/initiate", {
    method: "POST",
    as: user,
    json: { filename: "clip.mp4", size: 12 * MiB, content_type: "video/mp4", title: "A clip", ...overrides },
  });
  return { res, body: (await res.clone().json()) as Record<string, any> };
}

export function putPart(user: TestUser, uploadId: string, part: number, bytes: Uint8Array) {
  return api(`/api/v1/videos/upload/${uploadId}/chunk?part=${part}`, {
    method: "PUT",
    as: user,
    body: bytes,
    headers: { "Content-Type": "application/octet-stream" },
  });
}

/** Sends every part of `file` in order. */
export async function sendAll(user: TestUser, uploadId: string, file: Uint8Array, partSize: number) {
  for (let part = 1, at = 0; at < file.length; part++, at += partSize) {
    const res = await putPart(user, uploadId, part, file.subarray(at, at + partSize));
    if (res.status !== 200) throw new Error(`part ${part}: ${res.status} ${await res.text()}`);
  }
}
