/**
 * Upload over tus (resumable: a dropped connection or a reload continues where it stopped).
 * Without JavaScript the page says so: a browser cannot resume an upload without a script.
 * Once the file is up, the form gives way to the video's processing, a link to it, and a
 * way to upload another.
 */
export const UploadPage = () => (
  <>
    <h1>Upload a video</h1>
    <noscript>
      <p class="form-error">Uploading needs JavaScript (it lets a large upload resume after a dropped connection).</p>
    </noscript>
    <form id="upload-form" class="stack upload-form">
      <label for="file" class="drop-zone" id="drop-zone">
        <span>Drop a video file here, or choose one</span>
        <input id="file" name="file" type="file" accept="video/*,.mkv,.mov,.mp4,.webm,.avi" required />
      </label>
      <label for="title">Title</label>
      <input id="title" name="title" maxlength={100} required />
      <label for="description">Description</label>
      <textarea id="description" name="description" rows={4} maxlength={5000} />
      <label for="tags">Tags (comma-separated)</label>
      <input id="tags" name="tags" maxlength={500} />
      <label for="category">Category</label>
      <select id="category" name="category">
        <option value="">None</option>
        {["Music", "Gaming", "Education", "Entertainment", "Sports", "News", "Science", "Travel", "Howto"].map((c) => (
          <option value={c}>{c}</option>
        ))}
      </select>
      <fieldset>
        <legend>Visibility</legend>
        {(["public", "unlisted", "private"] as const).map((v) => (
          <label class="inline">
            <input type="radio" name="visibility" value={v} checked={v === "public"} /> {v}
          </label>
        ))}
      </fieldset>
      <button type="submit" id="upload-button">
        Upload
      </button>
    </form>
    <section id="upload-progress" class="upload-progress" hidden aria-labelledby="upload-progress-h">
      <h2 id="upload-progress-h">Uploading</h2>
      <progress id="upload-bar" max={100} value={0} aria-label="Upload progress" />
      <p id="upload-stats" aria-live="polite" />
      <p id="upload-error" class="form-error" role="alert" />
      <div class="row">
        <button type="button" id="upload-pause">
          Pause
        </button>
      </div>
    </section>
    <section id="processing-section" hidden aria-labelledby="processing-h">
      <h2 id="processing-h">Processing</h2>
      <progress id="processing-progress" max={100} value={0} aria-label="Processing progress" />
      <p id="processing-text" aria-live="polite" />
      <p class="row">
        <a id="watch-link" href="/studio" hidden>
          Watch your video
        </a>
        <a id="upload-another" href="/upload" class="button" hidden>
          Upload another
        </a>
      </p>
    </section>
  </>
);
