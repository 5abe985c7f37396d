// A browser in Worker tests: requests with the session cookie, form posts with their Origin
// and CSRF field, as the pages' forms send them.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { freshIp, type TestUser } from "./fixtures";

export const BASE = "http://cloudtube.test";

export function browser(
  path: string,
  init: { cookie?: string; form?: Record<string, string> | URLSearchParams | FormData; origin?: string } = {},
) {
  const headers = new Headers({ "CF-Connecting-IP": freshIp(), Accept: "text/html" });
  if (init.cookie) headers.set("Cookie", init.cookie);
  let body: string | FormData | undefined;
  if (init.form instanceof FormData) {
    // multipart/form-data, its boundary set by the Request.
    headers.set("Origin", init.origin ?? BASE);
    body = init.form;
  } else if (init.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    headers.set("Origin", init.origin ?? BASE);
    body = new URLSearchParams(init.form).toString();
  }
  return exports.default.fetch(
    new Request(`${BASE}${path}`, { method: init.form ? "POST" : "GET", headers, body, redirect: "manual" }),
  );
}

export interface Session {
  cookie: string;
  csrf: string;
  /** A form post from this session (its CSRF field added). */
  post(path: string, form?: Record<string, string>): Promise<Response>;
  get(path: string): Promise<Response>;
}

/** Signs in through the login form: the session cookie and the pages' CSRF token. */
export async function signIn(user: TestUser): Promise<Session> {
  const res = await browser("/login", { form: { email: user.email, password: user.password, next: "/studio" } });
  expect(res.status).toBe(303);
  const cookie = res.headers.get("Set-Cookie")?.split(";")[0] ?? "";
  const html = await (await browser("/", { cookie })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? "";
  expect(csrf).toBeTruthy();
  return {
    cookie,
    csrf,
    post: (path, form = {}) => browser(path, { cookie, form: { _csrf: csrf, ...form } }),
    get: (path) => browser(path, { cookie }),
  };
}
