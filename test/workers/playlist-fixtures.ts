// Playlists through the API, as a client makes and reads them (playlists, bad input, pages).
import { api, type TestUser } from "./fixtures";

export interface Playlist {
  id: string;
  title: string;
  description: string;
  visibility: string;
  kind: string;
  owner: { id: string; username: string; channel_id: string };
  item_count: number;
  duration: number;
  created_at: string;
  updated_at: string;
}
export interface Item {
  id: string;
  video: { id: string; title: string };
  position: number;
  added_at: string;
}

export async function json<T>(res: Response, status: number): Promise<T> {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export const createPlaylist = async (user: TestUser, body: Record<string, unknown> = {}) =>
  json<Playlist>(await api("/api/v1/playlists", { method: "POST", as: user, json: { title: "Mix", ...body } }), 201);

export const addItem = async (user: TestUser, playlistId: string, body: Record<string, unknown>) =>
  json<Item>(await api(`/api/v1/playlists/${playlistId}/items`, { method: "POST", as: user, json: body }), 201);

export const moveItem = async (user: TestUser, playlistId: string, itemId: string, body: Record<string, unknown>) =>
  json<Item>(
    await api(`/api/v1/playlists/${playlistId}/items/${itemId}`, { method: "PATCH", as: user, json: body }),
    200,
  );

export const getPlaylist = async (playlistId: string, as?: TestUser) =>
  json<Playlist>(await api(`/api/v1/playlists/${playlistId}`, as ? { as } : {}), 200);

/** Every item the caller sees, following the cursor page by page. */
export async function allItems(playlistId: string, as?: TestUser, limit = 100): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page: { items: Item[]; next_cursor: string | null } = await json(
      await api(`/api/v1/playlists/${playlistId}/items${query}`, as ? { as } : {}),
      200,
    );
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}
