import { z } from "@hono/zod-openapi";
import { Id, limitParam, PageQuery, Timestamp } from "./common";
import { VideoSummary } from "./videos";

/** `watch_later` names the caller's Watch later list wherever a playlist id goes. */
export const WATCH_LATER = "watch_later";

const Visibility = z.enum(["public", "unlisted", "private"]);

export const PlaylistParams = z.object({
  playlist_id: Id.openapi({
    param: { name: "playlist_id", in: "path" },
    description: "A playlist's id, or `watch_later` for the caller's Watch later list",
  }),
});
export const ItemParams = PlaylistParams.extend({
  item_id: Id.openapi({ param: { name: "item_id", in: "path" } }),
});

const Title = z.string().trim().min(1, "must not be empty").max(150, "must be at most 150 characters");
const Description = z.string().trim().max(5000, "must be at most 5,000 characters");

export const PlaylistBody = z
  .object({ title: Title, description: Description.optional(), visibility: Visibility.optional() })
  .openapi("PlaylistBody");
export type PlaylistBody = z.infer<typeof PlaylistBody>;

export const PlaylistEditBody = z
  .object({ title: Title.optional(), description: Description.optional(), visibility: Visibility.optional() })
  .openapi("PlaylistEditBody");
export type PlaylistEditBody = z.infer<typeof PlaylistEditBody>;

export const PlaylistOut = z
  .object({
    id: Id,
    title: z.string(),
    description: z.string(),
    visibility: Visibility,
    /** Added to the contract: `watch_later` for the Watch later list. */
    kind: z.enum(["playlist", "watch_later"]),
    owner: z.object({ id: Id, username: z.string(), channel_id: Id }),
    item_count: z.number().int().openapi({ description: "The items the caller can see" }),
    duration: z.number().int().openapi({ description: "Whole seconds: the items the caller can see" }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi("Playlist");
export type PlaylistOut = z.infer<typeof PlaylistOut>;

export const PlaylistList = z
  .object({
    items: z.array(PlaylistOut),
    page: z.number().int(),
    limit: z.number().int(),
    total: z.number().int(),
  })
  .openapi("PlaylistList");

/** The caller's playlists; with `?video_id=`, each says which of its items holds that video. */
export const MyPlaylist = PlaylistOut.extend({
  saved_item_id: Id.nullable().optional().openapi({ description: "With `video_id`: the item holding it, or null" }),
}).openapi("MyPlaylist");
export const MyPlaylistList = z
  .object({ items: z.array(MyPlaylist), page: z.number().int(), limit: z.number().int(), total: z.number().int() })
  .openapi("MyPlaylistList");

export const MyPlaylistsQuery = PageQuery.extend({
  video_id: Id.optional().openapi({ param: { name: "video_id", in: "query" } }),
});

export const ItemsQuery = z.object({
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" }, description: "`next_cursor` of the previous page" }),
  limit: limitParam(),
});

export const PlaylistItemOut = z
  .object({
    id: Id,
    video: VideoSummary,
    position: z.number().int().openapi({ description: "1-based place in the order the caller sees" }),
    added_at: Timestamp,
  })
  .openapi("PlaylistItem");
export type PlaylistItemOut = z.infer<typeof PlaylistItemOut>;

export const PlaylistItemList = z
  .object({ items: z.array(PlaylistItemOut), limit: z.number().int(), next_cursor: z.string().nullable() })
  .openapi("PlaylistItemList");

export const AddItemBody = z
  .object({
    video_id: Id,
    after_item_id: Id.nullable()
      .optional()
      .openapi({ description: "Absent: at the end; null: first; else right after that item" }),
  })
  .openapi("AddPlaylistItem");
export type AddItemBody = z.infer<typeof AddItemBody>;

export const MoveItemBody = z
  .object({
    after_item_id: Id.nullable().optional().openapi({ description: "null: first; else right after that item" }),
    position: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: "Added to the contract: the 1-based place to move to, instead of `after_item_id`" }),
  })
  .refine((b) => (b.after_item_id !== undefined) !== (b.position !== undefined), {
    message: "give either after_item_id or position",
    path: ["after_item_id"],
  })
  .openapi("MovePlaylistItem");
export type MoveItemBody = z.infer<typeof MoveItemBody>;
