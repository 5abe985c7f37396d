import { type Context, Hono } from "hono";
import type { AppEnv, AuthedEnv } from "../../env";
import { regionOf } from "../../lib/region";
import { CommentRulesBody } from "../../schemas/comment-moderation";
import { me } from "../../services/accounts";
import * as rules from "../../services/comment-rules";
import * as comments from "../../services/comments";
import * as blocks from "../../services/user-blocks";
import { blockDeps, commentDeps, commentStores } from "../../wiring/deps";
import { signedIn } from "../middleware";
import { StudioCommentsPage } from "../pages/studio-comments";

type StudioContext = Context<AppEnv & AuthedEnv>;

/** How many held comments and blocked users the page lists (the API pages through the rest). */
const SHOWN = 100;

async function render(c: StudioContext, refused?: { error: string; words: string; holdLinks: boolean }) {
  const { db, user } = c.var;
  const channelId = (await me(db, user.id)).channel_id;
  const [held, current, blocked] = await Promise.all([
    rules.heldComments(commentStores(c.env, db), user, channelId, 1, SHOWN),
    rules.commentRules(db, user, channelId),
    blocks.blocksOf(db, user.id, 1, SHOWN),
  ]);
  if (refused) c.status(400);
  return c.render(
    <StudioCommentsPage
      held={held}
      rules={current}
      blocked={blocked}
      notice={c.req.query("notice")}
      refused={refused}
    />,
    { title: "Comments · Studio" },
  );
}

/** Why the rules form was refused, in words: the word at fault and what is wrong with it. */
function refusal(error: { issues: { path: PropertyKey[]; message: string }[] }, words: string[]) {
  return error.issues
    .map(({ path, message }) => {
      const index = path[0] === "held_words" ? path[1] : undefined;
      return typeof index === "number" ? `"${words[index]}": ${message}` : message;
    })
    .join("; ");
}

/**
 * `/studio/comments`: held comments (approve, delete), the channel's held words and links
 * rule, and the owner's blocked users, by form post; each action answers with a redirect
 * back to the page and a notice.
 */
export const studioCommentRoutes = new Hono<AppEnv>()
  .get("/studio/comments", signedIn, (c) => render(c))
  .post("/studio/comments/rules", signedIn, async (c) => {
    const form = await c.req.parseBody();
    const text = typeof form.held_words === "string" ? form.held_words : "";
    const words = text
      .split(/[\n,]/)
      .map((w) => w.trim())
      .filter(Boolean);
    const holdLinks = form.hold_links === "on";
    const body = CommentRulesBody.safeParse({ held_words: words, hold_links: holdLinks });
    if (!body.success) return render(c, { error: refusal(body.error, words), words: text, holdLinks });
    const channelId = (await me(c.var.db, c.var.user.id)).channel_id;
    await rules.saveCommentRules(c.var.db, c.var.user, channelId, body.data);
    return c.redirect("/studio/comments?notice=Saved", 303);
  })
  .post("/studio/comments/:comment_id/approve", signedIn, async (c) => {
    const deps = commentDeps(c.env, c.var.db, regionOf(c.req.raw));
    await comments.approveComment(deps, c.req.param("comment_id"), c.var.user);
    return c.redirect("/studio/comments?notice=Approved", 303);
  })
  .post("/studio/comments/:comment_id/delete", signedIn, async (c) => {
    await comments.deleteComment(commentDeps(c.env, c.var.db), c.req.param("comment_id"), c.var.user);
    return c.redirect("/studio/comments?notice=Deleted", 303);
  })
  .post("/studio/comments/blocked/:user_id/unblock", signedIn, async (c) => {
    await blocks.unblockUser(blockDeps(c.env, c.var.db), c.var.user, c.req.param("user_id"));
    return c.redirect("/studio/comments?notice=Unblocked", 303);
  });
