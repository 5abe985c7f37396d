// The playlist page, for its owner: drag a video to move it (PATCH the item to its new
// place); the arrows and Remove are plain forms that work without this script.
import { api, byId } from "./_api";

const list = byId<HTMLOListElement>("playlist-items");
const status = byId("playlist-status");
const playlistId = list?.dataset.playlistId ?? "";
let dragged: HTMLLIElement | null = null;

const items = () => Array.from(list?.querySelectorAll<HTMLLIElement>("li.playlist-item") ?? []);
const itemAt = (target: EventTarget | null) => (target as Element | null)?.closest<HTMLLIElement>("li.playlist-item");
/** Whether the pointer is over the upper half of `li` (drop before it) or the lower (after). */
const upperHalf = (li: HTMLElement, y: number) => {
  const box = li.getBoundingClientRect();
  return y < box.top + box.height / 2;
};

function clearMarks() {
  for (const li of items()) li.classList.remove("drop-before", "drop-after");
}

/** Numbers the items again from the first one's place (a later page starts past 1). */
function renumber(first: number) {
  items().forEach((li, i) => {
    li.dataset.position = String(first + i);
    const shown = li.querySelector(".position");
    if (shown) shown.textContent = String(first + i);
  });
}

if (list?.dataset.editable) {
  list.addEventListener("dragstart", (event) => {
    dragged = itemAt(event.target) ?? null;
    if (!dragged || !event.dataTransfer) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.itemId ?? "");
    dragged.classList.add("dragging");
  });
  list.addEventListener("dragend", () => {
    dragged?.classList.remove("dragging");
    clearMarks();
  });
  list.addEventListener("dragover", (event) => {
    const over = itemAt(event.target);
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    clearMarks();
    over.classList.add(upperHalf(over, event.clientY) ? "drop-before" : "drop-after");
  });
  list.addEventListener("drop", async (event) => {
    const over = itemAt(event.target);
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    clearMarks();
    const all = items();
    const first = Number(all[0]?.dataset.position ?? 1);
    const from = all.indexOf(dragged);
    const before = upperHalf(over, event.clientY);
    // Its index once moved, in the list without it; the API's `position` counts the same way.
    let to = all.indexOf(over) + (before ? 0 : 1);
    if (from < to) to -= 1;
    if (to === from) return;
    const moving = dragged;
    try {
      await api("PATCH", `/playlists/${playlistId}/items/${moving.dataset.itemId}`, { position: first + to });
      if (before) over.before(moving);
      else over.after(moving);
      renumber(first);
      if (status) status.textContent = "Moved.";
    } catch (err) {
      if (status) status.textContent = `Could not move it: ${err instanceof Error ? err.message : String(err)}`;
    }
  });
}
