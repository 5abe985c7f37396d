// Comments on the watch page: posting, replying, deleting, replies on demand, blocking an
// author, and what arrives live. Every comment is built from the page's <template> with
// textContent only: nothing a user wrote is ever parsed as HTML.
import { api, byId, find, required } from "./_api";
import type { RoomComment } from "./_room";

interface Listed extends RoomComment {
  replies?: RoomComment[];
  deleted?: boolean;
  /** `held`: waiting for the channel owner; only its author is shown it. */
  status?: "published" | "held";
}

export class CommentsView {
  private readonly list = required<HTMLOListElement>("comment-list");
  private readonly template = required<HTMLTemplateElement>("comment-template");
  private readonly count = byId("comment-count");
  private readonly notice = byId("comments-notice");
  /**
   * Authors blocked from this page: the room stops sending their comments once the block is
   * stored, but one already on its way must not appear either.
   */
  private readonly blocked = new Set<string>();

  constructor(
    private readonly videoId: string,
    private readonly userId: string,
  ) {
    for (const item of this.list.querySelectorAll<HTMLLIElement>("li.comment")) this.addActions(item);
    this.list.addEventListener("click", (event) => this.onClick(event));
    const form = byId<HTMLFormElement>("comment-form");
    form?.addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = find<HTMLTextAreaElement>(form, "textarea");
      if (await this.post(input.value, null, byId("comment-error"))) input.value = "";
    });
  }

  /** A comment from the API or the room, placed once (the room echoes our own posts too). */
  add(comment: Listed, atEnd = false): void {
    if (comment.user && this.blocked.has(comment.user.id)) return;
    const known = this.list.querySelector<HTMLLIElement>(`li[data-comment-id="${CSS.escape(comment.id)}"]`);
    if (known) {
      // Our held comment, approved by the channel's owner: announced live like a new one.
      if (comment.status === "published" && known.dataset.status === "held") this.published(known);
      return;
    }
    const item = this.render(comment);
    if (comment.parent_id) {
      const parent = this.list.querySelector(`li[data-comment-id="${CSS.escape(comment.parent_id)}"]`);
      parent?.querySelector(":scope > ol.replies")?.append(item);
    } else if (atEnd) {
      this.list.append(item);
    } else {
      this.list.prepend(item);
    }
    byId("no-comments")?.remove();
  }

  /** A held comment of ours was approved: no longer marked, and open to replies. */
  private published(item: HTMLLIElement): void {
    item.dataset.status = "published";
    item.classList.remove("held");
    item.querySelector(":scope > .comment-head .held-badge")?.remove();
    item
      .querySelector(":scope > .comment-actions")
      ?.prepend(this.button("Reply", "reply", item.dataset.commentId ?? ""));
  }

  remove(commentId: string): void {
    const item = this.list.querySelector(`li[data-comment-id="${CSS.escape(commentId)}"]`);
    if (!item) return;
    find(item, ":scope > .comment-body").textContent = "[deleted]";
    find(item, ":scope > .comment-head .comment-author").textContent = "[deleted]";
    item.querySelector(":scope > .comment-actions")?.replaceChildren();
  }

  setCount(n: number): void {
    if (this.count) this.count.textContent = String(n);
  }

  private render(comment: Listed): HTMLLIElement {
    const item = (this.template.content.firstElementChild as HTMLLIElement).cloneNode(true) as HTMLLIElement;
    item.dataset.commentId = comment.id;
    item.dataset.authorId = comment.user?.id ?? "";
    item.dataset.status = comment.status ?? "published";
    find(item, ".comment-author").textContent = comment.user?.username ?? "[deleted]";
    if (comment.status === "held") {
      item.classList.add("held");
      item.querySelector<HTMLElement>(".held-badge")?.removeAttribute("hidden");
    }
    const time = find<HTMLTimeElement>(item, "time");
    time.dateTime = comment.created_at;
    time.textContent = new Date(comment.created_at).toLocaleString();
    find(item, ".comment-body").textContent = comment.content;
    this.addActions(item);
    const replies = find(item, "ol.replies");
    for (const reply of comment.replies ?? []) {
      if (!reply.user || !this.blocked.has(reply.user.id)) replies.append(this.render(reply));
    }
    if (comment.reply_count > (comment.replies?.length ?? 0)) {
      item.append(this.button(`View all ${comment.reply_count} replies`, "load-replies", comment.id));
    }
    return item;
  }

  private button(text: string, kind: string, commentId: string): HTMLButtonElement {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `link-button ${kind}`;
    button.dataset.commentId = commentId;
    button.textContent = text;
    return button;
  }

  private addActions(item: HTMLLIElement): void {
    const actions = item.querySelector(":scope > .comment-actions");
    const id = item.dataset.commentId;
    if (!actions || !id || !this.userId || item.querySelector(":scope > .comment-body")?.textContent === "[deleted]")
      return;
    // A held comment waits for the owner: nobody replies to it yet.
    if (item.dataset.status !== "held") actions.append(this.button("Reply", "reply", id));
    const author = item.dataset.authorId;
    if (author === this.userId) actions.append(this.button("Delete", "delete", id));
    else if (author) actions.append(this.menu(id, author, item));
  }

  /**
   * A comment's menu (a <details>, so it opens from the keyboard too) for someone else's
   * comment: "Report" (the page's report dialog, web/client/report.ts, opens for any element
   * naming a report target) and "Block user".
   */
  private menu(commentId: string, authorId: string, item: HTMLLIElement): HTMLDetailsElement {
    const menu = document.createElement("details");
    menu.className = "comment-menu";
    const summary = document.createElement("summary");
    summary.textContent = "⋯";
    const name = item.querySelector(":scope > .comment-head .comment-author")?.textContent ?? "";
    summary.setAttribute("aria-label", `More actions for ${name}'s comment`);
    const block = this.button("Block user", "block-user", commentId);
    block.dataset.authorId = authorId;
    block.dataset.authorName = name;
    const report = document.createElement("button");
    report.type = "button";
    report.className = "link-button";
    report.dataset.reportType = "comment";
    report.dataset.reportId = commentId;
    report.textContent = "Report";
    report.addEventListener("click", () => menu.removeAttribute("open"));
    const items = document.createElement("div");
    items.className = "comment-menu-items";
    items.append(report, block);
    menu.append(summary, items);
    return menu;
  }

  /**
   * Blocks the comment's author: the API stores it and tells the rooms this viewer is in, so
   * later live comments of theirs never arrive; the ones on the page go at once.
   */
  private async block(authorId: string, name: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await api("PUT", `/users/me/blocks/${authorId}`);
    } catch (err) {
      button.disabled = false;
      if (this.notice) this.notice.textContent = (err as Error).message;
      return;
    }
    this.blocked.add(authorId);
    for (const item of this.list.querySelectorAll<HTMLLIElement>(
      `li.comment[data-author-id="${CSS.escape(authorId)}"]`,
    )) {
      item.remove();
    }
    if (this.notice) this.notice.textContent = `You blocked ${name}: their comments are hidden.`;
  }

  private async post(content: string, parentId: string | null, error: HTMLElement | null): Promise<boolean> {
    if (error) error.textContent = "";
    try {
      const body = parentId ? { content, parent_id: parentId } : { content };
      this.add(await api<Listed>("POST", `/videos/${this.videoId}/comments`, body));
      return true;
    } catch (err) {
      if (error) error.textContent = (err as Error).message;
      return false;
    }
  }

  private async onClick(event: Event): Promise<void> {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-comment-id]");
    if (!button) return;
    const id = button.dataset.commentId;
    const item = button.closest<HTMLLIElement>("li.comment");
    if (!id || !item) return;
    if (button.classList.contains("block-user")) {
      await this.block(button.dataset.authorId ?? "", button.dataset.authorName ?? "", button);
    } else if (button.classList.contains("delete")) {
      button.disabled = true;
      await api("DELETE", `/comments/${id}`).catch((err: Error) => alert(err.message));
      this.remove(id);
    } else if (button.classList.contains("load-replies")) {
      button.disabled = true;
      const { items } = await api<{ items: Listed[] }>("GET", `/comments/${id}/replies?limit=100`);
      const replies = find(item, ":scope > ol.replies");
      replies.replaceChildren(...items.map((reply) => this.render(reply)));
      button.remove();
    } else if (button.classList.contains("reply")) {
      this.replyForm(item, id);
    }
  }

  private replyForm(item: HTMLLIElement, parentId: string): void {
    if (item.querySelector(":scope > form")) return;
    const form = document.createElement("form");
    form.className = "stack reply-form";
    const label = document.createElement("label");
    label.textContent = "Your reply";
    const input = document.createElement("textarea");
    input.required = true;
    input.maxLength = 10_000;
    input.rows = 2;
    input.id = `reply-${parentId}`;
    label.htmlFor = input.id;
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.textContent = "Reply";
    const error = document.createElement("span");
    error.className = "form-error";
    error.setAttribute("role", "alert");
    form.append(label, input, submit, error);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (await this.post(input.value, parentId, error)) form.remove();
    });
    find(item, ":scope > .comment-actions").after(form);
    input.focus();
  }
}
