export interface LoginProps {
  next: string;
  error?: string;
  form?: "login" | "register";
  email?: string;
  username?: string;
}

/** Sign in and create an account, side by side; each form posts to the page routes. */
export const LoginPage = ({ next, error, form, email, username }: LoginProps) => (
  <>
    <h1>Sign in or create an account</h1>
    {error ? (
      <p class="form-error" role="alert">
        {error}
      </p>
    ) : null}
    <div class="two-forms">
      <form action="/login" method="post" class="stack" aria-labelledby="login-h">
        <h2 id="login-h">Sign in</h2>
        <input type="hidden" name="next" value={next} />
        <label for="login-email">Email</label>
        <input
          id="login-email"
          name="email"
          type="email"
          autocomplete="email"
          required
          value={form === "login" ? email : ""}
        />
        <label for="login-password">Password</label>
        <input id="login-password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
      <form action="/register" method="post" class="stack" aria-labelledby="register-h">
        <h2 id="register-h">Create an account</h2>
        <input type="hidden" name="next" value={next} />
        <label for="register-email">Email</label>
        <input
          id="register-email"
          name="email"
          type="email"
          autocomplete="email"
          required
          value={form === "register" ? email : ""}
        />
        <label for="register-username">Username (your channel's name)</label>
        <input
          id="register-username"
          name="username"
          autocomplete="username"
          required
          minlength={3}
          maxlength={30}
          pattern="[A-Za-z0-9_.\-]+"
          value={username ?? ""}
        />
        <label for="register-password">Password (at least 8 characters)</label>
        <input
          id="register-password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minlength={8}
        />
        <button type="submit">Create account</button>
      </form>
    </div>
  </>
);

/** Where to go after signing in: a path on this site only, never another host. */
export function safeNext(value: unknown): string {
  return typeof value === "string" && /^\/(?![/\\])/.test(value) ? value : "/";
}
