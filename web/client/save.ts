// "Save" on the watch page: a dialog of the viewer's playlists (Watch later first), each a
// checkbox adding or removing this video, and a form that makes a new playlist holding it.
import { ApiError, api, byId } from "./_api";

interface Mine {
  id: string;
  title: string;
  kind: "playlist" | "watch_later";
  visibility: "public" | "unlisted" | "private";
  saved_item_id?: string | null;
}

const button = byId<HTMLButtonElement>("save");
const dialog = byId<HTMLDialogElement>("save-dialog");
const list = byId<HTMLUListElement>("save-lists");
const status = byId("save-status");
const form = byId<HTMLFormElement>("save-new");
const videoId = dialog?.dataset.videoId ?? "";

const say = (text: string) => {
  if (status) status.textContent = text;
};
const failure = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One playlist as a checkbox: checking adds the video, unchecking removes its item. */
function row(playlist: Mine): HTMLLIElement {
  let itemId = playlist.saved_item_id ?? null;
  const li = document.createElement("li");
  const label = document.createElement("label");
  label.className = "choice";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = itemId !== null;
  box.dataset.playlistId = playlist.id;
  const note = document.createElement("span");
  note.className = "muted";
  note.textContent = playlist.kind === "watch_later" ? "" : ` · ${playlist.visibility}`;
  label.append(box, ` ${playlist.title}`, note);
  li.append(label);
  box.addEventListener("change", async () => {
    box.disabled = true;
    try {
      if (box.checked) {
        itemId = (await api<{ id: string }>("POST", `/playlists/${playlist.id}/items`, { video_id: videoId })).id;
        say(`Saved to ${playlist.title}.`);
      } else if (itemId) {
        await api("DELETE", `/playlists/${playlist.id}/items/${itemId}`);
        itemId = null;
        say(`Removed from ${playlist.title}.`);
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === "already_in_playlist") {
        await load();
        return;
      }
      box.checked = !box.checked;
      say(`Could not change ${playlist.title}: ${failure(err)}`);
    } finally {
      box.disabled = false;
    }
  });
  return li;
}

async function load() {
  if (!list) return;
  const { items } = await api<{ items: Mine[] }>(
    "GET",
    `/users/me/playlists?video_id=${encodeURIComponent(videoId)}&limit=100`,
  );
  list.replaceChildren(...items.map(row));
}

button?.addEventListener("click", () => {
  if (!dialog) return;
  say("");
  dialog.showModal();
  load().catch((err) => say(`Could not load your playlists: ${failure(err)}`));
});
byId("save-close")?.addEventListener("click", () => dialog?.close());

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const title = String(data.get("title") ?? "").trim();
  if (!title) return;
  try {
    const made = await api<Mine>("POST", "/playlists", { title, visibility: data.get("visibility") });
    const item = await api<{ id: string }>("POST", `/playlists/${made.id}/items`, { video_id: videoId });
    list?.append(row({ ...made, saved_item_id: item.id }));
    form.reset();
    say(`Saved to ${made.title}.`);
  } catch (err) {
    say(`Could not make the playlist: ${failure(err)}`);
  }
});
