const MESSAGES: Record<number, { title: string; text: string }> = {
  401: { title: "Signed out", text: "Sign in again to continue." },
  403: { title: "Not allowed", text: "You may not do that." },
  404: {
    title: "Not found",
    text: "There is nothing here. The video may be private, or it was removed.",
  },
  429: { title: "Slow down", text: "Too many requests; wait a moment and try again." },
  451: { title: "Video unavailable", text: "This video was blocked by a moderator and is no longer available." },
  500: { title: "Something went wrong", text: "We could not show this page. Try again in a moment." },
};

/** What an error page says for a status: its title (also the page's) and a sentence. */
export function errorMessage(status: number): { title: string; text: string } {
  const fallback = status >= 500 ? MESSAGES[500] : undefined;
  return MESSAGES[status] ?? fallback ?? { title: "Error", text: "" };
}

/** 404, private videos (the same 404: a private video does not exist for others), errors. */
export const ErrorPage = (props: { status: number; detail?: string; requestId?: string }) => {
  const known = errorMessage(props.status);
  return (
    <div class="error-page">
      <h1>{known.title}</h1>
      <p>{props.detail ?? known.text}</p>
      {props.requestId && props.status >= 500 ? <p class="muted">Request id: {props.requestId}</p> : null}
      <p>
        <a href="/">Go to the home page</a>
      </p>
    </div>
  );
};
