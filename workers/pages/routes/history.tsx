import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { problem } from "../../lib/errors";
import * as accounts from "../../services/accounts";
import * as history from "../../services/history";
import { historyDeps } from "../../wiring/deps";
import { signedIn } from "../middleware";
import { HistoryPage } from "../pages/history";

/** `/history`: resume points; remove one, clear all, pause (plain form posts). */
export const historyRoutes = new Hono<AppEnv>()
  .get("/history", signedIn, async (c) => {
    const { user, db } = c.var;
    const [list, me] = await Promise.all([
      history.historyOf(historyDeps(c.env, db), user.id, new URL(c.req.url).origin, 50),
      accounts.me(db, user.id),
    ]);
    return c.render(<HistoryPage history={list} paused={me.history_paused} />, { title: "History" });
  })
  .post("/history/remove", signedIn, async (c) => {
    const videoId = (await c.req.parseBody()).video_id;
    if (typeof videoId !== "string" || !videoId) {
      throw problem("validation_failed", { detail: "No video." });
    }
    await history.clearHistory(historyDeps(c.env, c.var.db), c.var.user.id, videoId);
    return c.redirect("/history", 303);
  })
  .post("/history/clear", signedIn, async (c) => {
    await history.clearHistory(historyDeps(c.env, c.var.db), c.var.user.id);
    return c.redirect("/history", 303);
  })
  .post("/history/paused", signedIn, async (c) => {
    const paused = (await c.req.parseBody()).paused === "true";
    await history.setHistoryPaused(c.var.db, c.var.user.id, paused);
    return c.redirect("/history", 303);
  });
