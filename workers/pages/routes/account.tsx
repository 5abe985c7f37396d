import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { AppError, invalid, problem } from "../../lib/errors";
import { RATE_RULES, rateLimit } from "../../middleware/rate-limit";
import { clearSession, setSession } from "../../middleware/session";
import { LoginBody, RegisterBody } from "../../schemas/accounts";
import * as accounts from "../../services/accounts";
import { tokenConfig } from "../../wiring/deps";
import { LoginPage, safeNext } from "../pages/login";

/** A refusal the form can show (bad input, wrong password, a taken name); anything else is thrown on. */
const formError = (err: unknown) => {
  if (err instanceof AppError && err.status < 500) {
    const fields = err.extra?.invalid_params as { name: string }[] | undefined;
    return {
      status: err.status,
      message: fields?.length ? `Check: ${[...new Set(fields.map((f) => f.name))].join(", ")}.` : err.detail,
    };
  }
  throw err;
};

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** `/login`, `/register`, `/logout`: the session cookie is set and cleared here. */
export const accountRoutes = new Hono<AppEnv>()
  .get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    if (c.var.user) return c.redirect(next);
    return c.render(<LoginPage next={next} />, { title: "Sign in" });
  })
  .post("/login", rateLimit(RATE_RULES.login), async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const parsed = LoginBody.safeParse({ email: form.email, password: form.password });
    try {
      if (!parsed.success) {
        throw problem("validation_failed", { detail: "Enter your email and password." });
      }
      const session = await accounts.login(c.var.db, tokenConfig(c.env), parsed.data);
      setSession(c, session.token, tokenConfig(c.env).ttlSeconds);
      return c.redirect(next, 303);
    } catch (err) {
      const { status, message } = formError(err);
      c.status(status as 400);
      return c.render(<LoginPage next={next} error={message} form="login" email={str(form.email)} />, {
        title: "Sign in",
      });
    }
  })
  .post("/register", rateLimit(RATE_RULES.register), async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const parsed = RegisterBody.safeParse({ email: form.email, username: form.username, password: form.password });
    try {
      if (!parsed.success) {
        throw invalid(parsed.error);
      }
      const session = await accounts.register(c.var.db, tokenConfig(c.env), parsed.data);
      setSession(c, session.token, tokenConfig(c.env).ttlSeconds);
      return c.redirect(next, 303);
    } catch (err) {
      const { status, message } = formError(err);
      c.status(status as 400);
      return c.render(
        <LoginPage next={next} error={message} form="register" email={str(form.email)} username={str(form.username)} />,
        { title: "Sign in" },
      );
    }
  })
  .post("/logout", (c) => {
    clearSession(c);
    return c.redirect("/", 303);
  });
