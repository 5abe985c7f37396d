import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { forbidden, invalid } from "../../lib/errors";
import { ActionBody, QueueQuery } from "../../schemas/moderation";
import { hasRole, moderationLog } from "../../services/moderation";
import { actOnReport, reportQueue } from "../../services/reports";
import { commentStores, moderationDeps } from "../../wiring/deps";
import { signedIn } from "../middleware";
import { ModerationPage } from "../pages/moderation";

/** `/moderation`: moderators' queue and log; actions are plain form posts. */
export const moderationRoutes = new Hono<AppEnv>()
  .get("/moderation", signedIn, async (c) => {
    if (!hasRole(c.var.user, "moderator")) throw forbidden("Only moderators see the report queue.");
    const query = QueueQuery.safeParse(c.req.query());
    if (!query.success) throw invalid(query.error, { target: "query" });
    const { state, target_type, page, limit } = query.data;
    const origin = new URL(c.req.url).origin;
    const [queue, log] = await Promise.all([
      reportQueue(commentStores(c.env, c.var.db), c.var.user, { state, targetType: target_type }, page, limit, origin),
      moderationLog(c.var.db, 1, 50),
    ]);
    return c.render(<ModerationPage queue={queue} log={log} state={state} notice={c.req.query("notice")} />, {
      title: "Moderation",
    });
  })
  .post("/moderation/reports/:report_id", signedIn, async (c) => {
    if (!hasRole(c.var.user, "moderator")) throw forbidden("Only moderators act on reports.");
    const form = await c.req.parseBody();
    const body = ActionBody.safeParse({
      action: form.action,
      ...(typeof form.note === "string" && form.note.trim() ? { note: form.note } : {}),
    });
    if (!body.success) throw invalid(body.error);
    const deps = moderationDeps(c.env, c.var.db, (p) => c.executionCtx.waitUntil(p));
    const settled = await actOnReport(deps, c.var.user, c.req.param("report_id"), body.data);
    return c.redirect(`/moderation?notice=${encodeURIComponent(`Report ${settled.state}: ${settled.outcome}`)}`, 303);
  });
