import { router } from "../lib/openapi";

/**
 * Comments and the live room, mounted at /api/v1: /videos/{video_id}/comments,
 * /comments/{comment_id}/replies, /comments/{comment_id}, /videos/{video_id}/live.
 */
export const commentRoutes = router();
