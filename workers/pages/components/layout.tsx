import type { Child } from "hono/jsx";
import { useRequestContext } from "hono/jsx-renderer";
import type { AppEnv } from "../../env";
import { scriptFiles } from "../../lib/assets";
import { CSRF_FIELD } from "../../middleware/session";

/** What a page handler says about its page's <head>: `c.render(<Page />, { title, ... })`. */
export interface Head {
  title: string;
  /** Client scripts this page needs (web/client/<name>.ts), by the names the build gave them. */
  scripts?: string[];
  /** The text to keep in the header's search box (the search page's query). */
  query?: string;
  /**
   * The page's own script loads the site-wide one (`common`: search suggestions) itself,
   * later: the watch page, where nothing but the player is fetched before the first frame
   * (a browser on HTTP/1.1 opens six connections to a host, and the player's files fill them).
   */
  commonLater?: boolean;
}

declare module "hono" {
  interface ContextRenderer {
    // biome-ignore lint/style/useShorthandFunctionType: only an interface merges with Hono's declaration
    (content: string | Promise<string>, head: Head): Response | Promise<Response>;
  }
}

/** The signed-in viewer of the page being rendered (set by the pages' session middleware). */
export const useViewer = () => useRequestContext<AppEnv>().var.user;

/** A form field carrying the session's CSRF token (every state-changing form has one). */
export const CsrfField = () => {
  const { csrf } = useRequestContext<AppEnv>().var;
  return csrf ? <input type="hidden" name={CSRF_FIELD} value={csrf} /> : null;
};

/**
 * Every page's frame (the pages' `jsxRenderer`): header with search and account links, one
 * <main>. The viewer and the CSRF token come from the request, not from each page's props.
 */
export const Layout = ({ title, scripts = [], query, commonLater, children }: Head & { children?: Child }) => {
  const { user, csrf, assets } = useRequestContext<AppEnv>().var;
  // Each page script first (module scripts run in document order), then the chunks they
  // import, fetched beside them rather than after they have been read.
  const entries = [...scripts, ...(commonLater ? [] : ["common"])].flatMap((name) =>
    scriptFiles(assets, name).slice(0, 1),
  );
  const chunks = [...new Set(scripts.flatMap((name) => scriptFiles(assets, name).slice(1)))];
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · CloudTube`}</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        {assets?.styles.style ? <link rel="stylesheet" href={assets.styles.style} /> : null}
        {csrf ? <meta name="csrf-token" content={csrf} /> : null}
        {entries.map((src) => (
          <script type="module" src={src} />
        ))}
        {chunks.map((url) => (
          <link rel="modulepreload" href={url} />
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
                  {user.role !== "user" ? (
                    <li>
                      <a href="/moderation">Moderation</a>
                    </li>
                  ) : null}
                  <li>
                    <form action="/logout" method="post">
                      <CsrfField />
                      <button type="submit" class="link-button">
                        Sign out <span class="account-name">{user.username}</span>
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
  );
};
