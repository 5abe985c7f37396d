import { expect } from "vitest";
import { api, type TestUser } from "./fixtures";

// What the comment tests share: posting and listing through the API.

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
