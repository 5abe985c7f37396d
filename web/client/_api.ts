// Shared by the page scripts: calls to the public API with the session cookie, carrying the
// page's CSRF token on every write (the cookie alone is refused for writes).

export const csrfToken = (): string =>
  document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** fetch() against /api/v1 with JSON in and out; a problem+json answer becomes an ApiError. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string };
    throw new ApiError(res.status, problem.code ?? "error", problem.detail ?? problem.title ?? `HTTP ${res.status}`);
  }
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T | null;

/** A part the page's own markup always has: its absence is a defect, said plainly rather than as a null error later. */
export function must<T>(found: T | null | undefined, what: string): T {
  if (found === null || found === undefined) throw new Error(`the page has no ${what}`);
  return found;
}

/** An element by id that the page always renders. */
export const required = <T extends HTMLElement = HTMLElement>(id: string) => must(byId<T>(id), `#${id}`);

/** The first match of `selector` under `root`, which the markup always has. */
export const find = <T extends Element = HTMLElement>(root: ParentNode, selector: string) =>
  must(root.querySelector<T>(selector) as T | null, selector);
