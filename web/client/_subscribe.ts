import { api } from "./_api";

/** Subscribe buttons (channel and watch pages): aria-pressed shows the state. */
export function wireSubscribeButtons(status: HTMLElement | null): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("button.subscribe[data-channel-id]")) {
    button.addEventListener("click", async () => {
      const on = button.getAttribute("aria-pressed") !== "true";
      button.disabled = true;
      try {
        await api(on ? "POST" : "DELETE", `/channels/${button.dataset.channelId}/subscription`);
        button.setAttribute("aria-pressed", String(on));
        button.textContent = on ? "Subscribed" : "Subscribe";
        const count = document.getElementById("subscriber-count");
        if (count?.dataset.count) {
          const n = Number(count.dataset.count) + (on ? 1 : -1);
          count.dataset.count = String(n);
          count.textContent = `${n} subscriber${n === 1 ? "" : "s"}`;
        }
        if (status) status.textContent = on ? "Subscribed." : "Unsubscribed.";
      } catch (err) {
        if (status) status.textContent = `Could not ${on ? "subscribe" : "unsubscribe"}: ${(err as Error).message}`;
      } finally {
        button.disabled = false;
      }
    });
  }
}
