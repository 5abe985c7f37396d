/**
 * The id every resource carries (videos, users, channels, comments, uploads): opaque, URL-safe,
 * at most 32 characters (API.md). One pattern for the Worker's schemas and routes and for the
 * transcoder's contract; no imports, so Node and workerd load it alike.
 */
export const ID_PATTERN = /^[0-9A-Za-z_-]{1,32}$/;
