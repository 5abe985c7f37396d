/**
 * "Save" on the watch page: a dialog listing the viewer's playlists, Watch later first, each a
 * checkbox that adds or removes this video, and a field that makes a new playlist with it.
 * web/client/save.ts fills the list from `GET /api/v1/users/me/playlists?video_id=` when it
 * opens; signed out, "Save" is a link to sign in.
 */
export const SaveButton = (props: { videoId: string; signedIn: boolean }) =>
  props.signedIn ? (
    <button type="button" id="save" aria-haspopup="dialog" aria-controls="save-dialog" data-video-id={props.videoId}>
      Save
    </button>
  ) : (
    <a class="button" href={`/login?next=${encodeURIComponent(`/watch/${props.videoId}`)}`}>
      Save
    </a>
  );

export const SaveDialog = (props: { videoId: string }) => (
  <dialog id="save-dialog" class="save-dialog" aria-labelledby="save-title" data-video-id={props.videoId}>
    <div class="stack">
      <h2 id="save-title">Save to…</h2>
      <ul id="save-lists" class="save-lists" aria-label="Your playlists">
        <li class="muted">Loading your playlists…</li>
      </ul>
      <form id="save-new" class="stack">
        <label for="save-new-title">New playlist</label>
        <input id="save-new-title" name="title" maxlength={150} required placeholder="Name" />
        <label for="save-new-visibility">Visibility</label>
        <select id="save-new-visibility" name="visibility">
          <option value="private">Private</option>
          <option value="unlisted">Unlisted</option>
          <option value="public">Public</option>
        </select>
        <button type="submit">Create and save</button>
      </form>
      <p id="save-status" role="status" class="muted" />
      <p>
        <a href="/playlists">Your playlists</a>
      </p>
      <div class="dialog-actions">
        <button type="button" id="save-close" class="secondary">
          Done
        </button>
      </div>
    </div>
  </dialog>
);
