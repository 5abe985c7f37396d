import { afterAll, beforeAll, describe, expect } from "vitest";
import { api, commentsHomeOfNewVideos, type TestUser } from "./fixtures";

// What the comment tests share: posting and listing through the API, and running a suite once
// for each database a video's comments may be in.

export type Comment = Record<string, any>;

export interface CommentList {
  items: Comment[];
  page: number;
  limit: number;
  total: number;
}

/** Posts a comment (or a reply) as `user` and answers it; anything but 201 fails the test. */
export async function postComment(
  user: TestUser,
  videoId: string,
  content: string,
  parentId?: string,
): Promise<Comment> {
  const res = await api(`/api/v1/videos/${videoId}/comments`, {
    method: "POST",
    as: user,
    json: parentId ? { content, parent_id: parentId } : { content },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

/** A list of comments (a video's, a comment's replies, a channel's held ones); anything but 200 fails the test. */
export async function commentList(path: string, as?: TestUser): Promise<CommentList> {
  const res = await api(path, { as });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/**
 * Runs `suite` twice: with the videos' comments in `DB` (a video made before migration 0026,
 * until the cron moves them) and in `COMMENTS` (every video made since).
 */
export function inEachCommentsHome(suite: (home: 0 | 1) => void) {
  describe.each([
    ["DB", 0],
    ["COMMENTS", 1],
  ] as const)("with the video's comments in %s", (_, home) => {
    beforeAll(() => commentsHomeOfNewVideos(home));
    afterAll(() => commentsHomeOfNewVideos(undefined));
    suite(home);
  });
}
