import { createRoute } from "@hono/zod-openapi";
import { router } from "../lib/openapi";
import { requireAuth } from "../middleware/auth";
import { ChannelParams } from "../schemas/channels";
import { bearer, json, jsonBody, PageQuery, problems } from "../schemas/common";
import {
  AddItemBody,
  ItemParams,
  ItemsQuery,
  MoveItemBody,
  MyPlaylistList,
  MyPlaylistsQuery,
  PlaylistBody,
  PlaylistEditBody,
  PlaylistItemList,
  PlaylistItemOut,
  PlaylistList,
  PlaylistOut,
  PlaylistParams,
} from "../schemas/playlists";
import * as playlists from "../services/playlists";

const origin = (url: string) => new URL(url).origin;

/** Playlists and their items (API.md "Playlists"). Mounted at /api/v1. */
export const playlistRoutes = router()
  .openapi(
    createRoute({
      method: "post",
      path: "/playlists",
      tags: ["playlists"],
      summary: "Create a playlist (private unless `visibility` says otherwise)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { body: jsonBody(PlaylistBody) },
      responses: { 201: json(PlaylistOut, "The playlist"), ...problems(400, 401) },
    }),
    async (c) => c.json(await playlists.createPlaylist(c.var.db, c.var.user, c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/playlists/{playlist_id}",
      tags: ["playlists"],
      summary: "A playlist; counts and duration are of the items the caller can see",
      request: { params: PlaylistParams },
      responses: { 200: json(PlaylistOut, "The playlist"), ...problems(400, 401, 404) },
    }),
    async (c) => c.json(await playlists.getPlaylist(c.var.db, c.req.valid("param").playlist_id, c.var.user), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/playlists/{playlist_id}",
      tags: ["playlists"],
      summary: "Edit a playlist's title, description or visibility (owner)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: PlaylistParams, body: jsonBody(PlaylistEditBody) },
      responses: { 200: json(PlaylistOut, "The playlist"), ...problems(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await playlists.editPlaylist(c.var.db, c.var.user, c.req.valid("param").playlist_id, c.req.valid("json")),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/playlists/{playlist_id}",
      tags: ["playlists"],
      summary: "Delete a playlist (owner); Watch later cannot be deleted",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: PlaylistParams },
      responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      await playlists.deletePlaylist(c.var.db, c.var.user, c.req.valid("param").playlist_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/playlists/{playlist_id}/items",
      tags: ["playlists"],
      summary: "The items the caller can see, in the playlist's order",
      request: { params: PlaylistParams, query: ItemsQuery },
      responses: { 200: json(PlaylistItemList, "A page of items"), ...problems(400, 401, 404) },
    }),
    async (c) =>
      c.json(
        await playlists.listItems(
          c.var.db,
          c.req.valid("param").playlist_id,
          c.var.user,
          c.req.valid("query"),
          origin(c.req.url),
        ),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/playlists/{playlist_id}/items",
      tags: ["playlists"],
      summary: "Add a video: at the end, first (`after_item_id: null`) or right after an item (owner)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: PlaylistParams, body: jsonBody(AddItemBody) },
      responses: { 201: json(PlaylistItemOut, "The item"), ...problems(400, 401, 403, 404, 409, 451) },
    }),
    async (c) =>
      c.json(
        await playlists.addItem(
          c.var.db,
          c.var.user,
          c.req.valid("param").playlist_id,
          c.req.valid("json"),
          origin(c.req.url),
        ),
        201,
      ),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/playlists/{playlist_id}/items/{item_id}",
      tags: ["playlists"],
      summary: "Move an item right after another (null: first); no other item's id changes (owner)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: ItemParams, body: jsonBody(MoveItemBody) },
      responses: { 200: json(PlaylistItemOut, "Moved"), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { playlist_id, item_id } = c.req.valid("param");
      return c.json(
        await playlists.moveItem(c.var.db, c.var.user, playlist_id, item_id, c.req.valid("json"), origin(c.req.url)),
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/playlists/{playlist_id}/items/{item_id}",
      tags: ["playlists"],
      summary: "Remove an item (owner)",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { params: ItemParams },
      responses: { 204: { description: "Removed" }, ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const { playlist_id, item_id } = c.req.valid("param");
      await playlists.removeItem(c.var.db, c.var.user, playlist_id, item_id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/channels/{channel_id}/playlists",
      tags: ["playlists"],
      summary: "A channel's public playlists, most recently changed first",
      request: { params: ChannelParams, query: PageQuery },
      responses: { 200: json(PlaylistList, "Playlists"), ...problems(400, 404) },
    }),
    async (c) =>
      c.json(
        await playlists.channelPlaylists(c.var.db, c.req.valid("param").channel_id, c.var.user, c.req.valid("query")),
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/users/me/playlists",
      tags: ["playlists"],
      summary: "All the caller's playlists, Watch later first; `video_id` says where each holds that video",
      security: bearer,
      middleware: [requireAuth] as const,
      request: { query: MyPlaylistsQuery },
      responses: { 200: json(MyPlaylistList, "Playlists"), ...problems(400, 401) },
    }),
    async (c) => c.json(await playlists.myPlaylists(c.var.db, c.var.user, c.req.valid("query")), 200),
  );
