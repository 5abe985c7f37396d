import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { invalid } from "../../lib/errors";
import { PlaylistBody, PlaylistEditBody, WATCH_LATER } from "../../schemas/playlists";
import * as playlists from "../../services/playlists";
import { listHref } from "../components/playlist-panel";
import { signedIn } from "../middleware";
import { MyPlaylistsPage, PlaylistPage } from "../pages/playlist";

const origin = (url: string) => new URL(url).origin;
/** Page forms send empty strings for untouched fields; the API's schemas want them absent. */
const field = (value: unknown) => (typeof value === "string" ? value : undefined);

/**
 * `/playlists` (yours) and `/playlist/{id}` (one list; `watch_later` for yours), with the
 * owner's forms: edit, delete, move up or down, remove. Each form answers with a redirect
 * back (303), so a reload never posts twice.
 */
export const playlistPageRoutes = new Hono<AppEnv>()
  .get("/playlists", signedIn, async (c) => {
    const list = await playlists.myPlaylists(c.var.db, c.var.user, { page: 1, limit: 100 });
    return c.render(<MyPlaylistsPage playlists={list.items} />, { title: "Your playlists" });
  })
  .post("/playlists", signedIn, async (c) => {
    const form = await c.req.parseBody();
    const body = PlaylistBody.safeParse({ title: field(form.title), visibility: field(form.visibility) });
    if (!body.success) throw invalid(body.error);
    const made = await playlists.createPlaylist(c.var.db, c.var.user, body.data);
    return c.redirect(`/playlist/${made.id}`, 303);
  })
  .get("/playlist/:playlist_id", async (c) => {
    const id = c.req.param("playlist_id");
    const { db, user } = c.var;
    // Watch later is the signed-in viewer's own: a visitor signs in first.
    if (id === WATCH_LATER && !user) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    const playlist = await playlists.getPlaylist(db, id, user);
    const page = await playlists.listItems(
      db,
      playlist.id,
      user,
      { cursor: c.req.query("cursor"), limit: 100 },
      origin(c.req.url),
    );
    return c.render(
      <PlaylistPage
        playlist={playlist}
        items={page.items}
        nextCursor={page.next_cursor}
        own={playlist.owner.id === user?.id}
        notice={c.req.query("notice")}
      />,
      { title: playlist.title, scripts: playlist.owner.id === user?.id ? ["playlist"] : [] },
    );
  })
  .get("/playlist/:playlist_id/play", async (c) => {
    const id = c.req.param("playlist_id");
    const { db, user } = c.var;
    if (id === WATCH_LATER && !user) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    const playlist = await playlists.getPlaylist(db, id, user);
    // A fresh seed per Shuffle: the order it gives holds for the whole play-through.
    const shuffle = c.req.query("shuffle") ? crypto.getRandomValues(new Uint32Array(1))[0] : undefined;
    const first = await playlists.firstVideo(db, playlist.id, user, shuffle);
    return c.redirect(first ? listHref(first, playlist.id, shuffle) : `/playlist/${playlist.id}`, 303);
  })
  .post("/playlist/:playlist_id", signedIn, async (c) => {
    const form = await c.req.parseBody();
    const edit = PlaylistEditBody.safeParse({
      title: field(form.title),
      description: field(form.description) ?? "",
      visibility: field(form.visibility),
    });
    if (!edit.success) throw invalid(edit.error);
    const saved = await playlists.editPlaylist(c.var.db, c.var.user, c.req.param("playlist_id"), edit.data);
    return c.redirect(`/playlist/${saved.id}?notice=Saved`, 303);
  })
  .post("/playlist/:playlist_id/delete", signedIn, async (c) => {
    await playlists.deletePlaylist(c.var.db, c.var.user, c.req.param("playlist_id"));
    return c.redirect("/playlists", 303);
  })
  .post("/playlist/:playlist_id/items/:item_id/move", signedIn, async (c) => {
    const { playlist_id, item_id } = c.req.param();
    const direction = (await c.req.parseBody()).direction === "down" ? "down" : "up";
    await playlists.nudgeItem(c.var.db, c.var.user, playlist_id, item_id, direction, origin(c.req.url));
    // Back to the list, at the item that moved.
    return c.redirect(`/playlist/${playlist_id}#item-${item_id}`, 303);
  })
  .post("/playlist/:playlist_id/items/:item_id/remove", signedIn, async (c) => {
    const { playlist_id } = c.req.param();
    await playlists.removeItem(c.var.db, c.var.user, playlist_id, c.req.param("item_id"));
    return c.redirect(`/playlist/${playlist_id}?notice=Removed`, 303);
  });
