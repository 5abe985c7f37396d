import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { AuthUser } from "../../env";
import { CSRF_FIELD } from "../../middleware/session";

export interface PageProps {
  title: string;
  user: AuthUser | undefined;
  csrf: string | undefined;
  /** Client scripts this page needs (web/client/<name>.ts), as bundled under /assets/. */
  scripts?: string[];
  query?: string;
  /** Fetched at once, beside the scripts (the watch page's master playlist). */
  preload?: string | null;
  children?: Child;
}

/** A form field carrying the session's CSRF token (every state-changing form has one). */
export const CsrfField = ({ csrf }: { csrf: string | undefined }) =>
  csrf ? <input type="hidden" name={CSRF_FIELD} value={csrf} /> : null;

/** Every page's frame: header with search and account links, one <main>. */
export const Layout = ({ title, user, csrf, scripts = [], query, preload, children }: PageProps) => (
  <>
    {raw("<!doctype html>")}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · CloudTube`}</title>
        <link rel="stylesheet" href="/assets/style.css" />
        {csrf ? <meta name="csrf-token" content={csrf} /> : null}
        <script type="module" src="/assets/common.js" />
        {preload ? <link rel="preload" href={preload} as="fetch" crossorigin="anonymous" /> : null}
        {scripts.map((name) => (
          <script type="module" src={`/assets/${name}.js`} />
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <a class="logo" href="/">
            CloudTube
          </a>
          <search class="search-form">
            <form action="/search" method="get">
              <label for="site-search" class="visually-hidden">
                Search videos
              </label>
              <input
                id="site-search"
                type="search"
                name="q"
                value={query ?? ""}
                placeholder="Search"
                autocomplete="off"
                list="search-suggestions"
                maxlength={200}
              />
              <datalist id="search-suggestions" />
              <button type="submit">Search</button>
            </form>
          </search>
          <nav aria-label="Account">
            <ul>
              <li>
                <a href="/upload">Upload</a>
              </li>
              {user ? (
                <>
                  <li>
                    <a href="/history">History</a>
                  </li>
                  <li>
                    <a href="/studio">Studio</a>
                  </li>
                  <li>
                    <form action="/logout" method="post">
                      <CsrfField csrf={csrf} />
                      <button type="submit" class="link-button">
                        Sign out {user.username}
                      </button>
                    </form>
                  </li>
                </>
              ) : (
                <li>
                  <a href="/login">Sign in</a>
                </li>
              )}
            </ul>
          </nav>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  </>
);
