import { describe, expect, it } from "vitest";
import { api, catalogueVideo, expectProblem, registerUser } from "./fixtures";
import { addItem, createPlaylist } from "./playlist-fixtures";

describe("playlists: bad input", () => {
  it.each([
    [{}, "title"],
    [{ title: "   " }, "title"],
    [{ title: "x".repeat(151) }, "title"],
    [{ title: "ok", description: "x".repeat(5001) }, "description"],
    [{ title: "ok", visibility: "friends" }, "visibility"],
  ])("refuses a playlist %j naming %s", async (body, field) => {
    const user = await registerUser();
    const res = await api("/api/v1/playlists", { method: "POST", as: user, json: body });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.invalid_params.map((p: { name: string }) => p.name)).toContain(field);
  });

  it("needs an account to make or change playlists", async () => {
    await expectProblem(await api("/api/v1/playlists", { method: "POST", json: { title: "x" } }), 401, "unauthorized");
    const user = await registerUser();
    const playlist = await createPlaylist(user, { visibility: "public" });
    await expectProblem(
      await api(`/api/v1/playlists/${playlist.id}/items`, { method: "POST", json: { video_id: "abc" } }),
      401,
      "unauthorized",
    );
  });

  it("answers 403 to changes of someone else's playlist, and 404 when it is private", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    const video = await catalogueVideo(owner, { title: "Mine" });
    const open = await createPlaylist(owner, { visibility: "public" });
    const closed = await createPlaylist(owner);
    const item = await addItem(owner, open.id, { video_id: video });
    const attempts = (id: string, itemId: string) => [
      api(`/api/v1/playlists/${id}`, { method: "PATCH", as: other, json: { title: "Mine now" } }),
      api(`/api/v1/playlists/${id}`, { method: "DELETE", as: other }),
      api(`/api/v1/playlists/${id}/items`, { method: "POST", as: other, json: { video_id: video } }),
      api(`/api/v1/playlists/${id}/items/${itemId}`, { method: "PATCH", as: other, json: { after_item_id: null } }),
      api(`/api/v1/playlists/${id}/items/${itemId}`, { method: "DELETE", as: other }),
    ];
    for (const res of await Promise.all(attempts(open.id, item.id))) await expectProblem(res, 403, "forbidden");
    for (const res of await Promise.all(attempts(closed.id, item.id))) await expectProblem(res, 404, "not_found");
  });

  it("refuses moves across playlists, places past the end, and an item after itself", async () => {
    const user = await registerUser();
    const [a, b] = [await catalogueVideo(user, { title: "A" }), await catalogueVideo(user, { title: "B" })];
    const one = await createPlaylist(user);
    const two = await createPlaylist(user);
    const inOne = await addItem(user, one.id, { video_id: a });
    const alsoInOne = await addItem(user, one.id, { video_id: b });
    const inTwo = await addItem(user, two.id, { video_id: a });
    const move = (playlistId: string, itemId: string, body: unknown) =>
      api(`/api/v1/playlists/${playlistId}/items/${itemId}`, { method: "PATCH", as: user, json: body });

    // After an item of another playlist.
    let problem = await expectProblem(
      await move(one.id, inOne.id, { after_item_id: inTwo.id }),
      400,
      "validation_failed",
    );
    expect(problem.invalid_params).toEqual([{ name: "after_item_id", reason: "must be an item of this playlist" }]);
    // An item of another playlist, moved through this one.
    await expectProblem(await move(one.id, inTwo.id, { after_item_id: null }), 404, "not_found");
    // Added after an item of another playlist.
    await expectProblem(
      await api(`/api/v1/playlists/${two.id}/items`, {
        method: "POST",
        as: user,
        json: { video_id: b, after_item_id: inOne.id },
      }),
      400,
      "validation_failed",
    );
    // Places past the end: two items, so places 1 and 2 exist.
    problem = await expectProblem(await move(one.id, inOne.id, { position: 3 }), 400, "validation_failed");
    expect(problem.invalid_params).toEqual([{ name: "position", reason: "is past the end of the playlist" }]);
    await expectProblem(await move(one.id, inOne.id, { position: 0 }), 400, "validation_failed");
    await expectProblem(await move(one.id, inOne.id, { position: 1.5 }), 400, "validation_failed");
    expect((await move(one.id, inOne.id, { position: 2 })).status).toBe(200);
    // After itself, both at once, neither.
    await expectProblem(await move(one.id, alsoInOne.id, { after_item_id: alsoInOne.id }), 400, "validation_failed");
    await expectProblem(await move(one.id, inOne.id, { after_item_id: null, position: 1 }), 400, "validation_failed");
    await expectProblem(await move(one.id, inOne.id, {}), 400, "validation_failed");
    // An item that does not exist.
    await expectProblem(await move(one.id, "nosuchitem", { after_item_id: null }), 404, "not_found");
    await expectProblem(
      await api(`/api/v1/playlists/${one.id}/items/nosuchitem`, { method: "DELETE", as: user }),
      404,
      "not_found",
    );
  });

  it("refuses a video the adder may not see, and one that does not exist", async () => {
    const user = await registerUser();
    const stranger = await registerUser();
    const hidden = await catalogueVideo(stranger, { title: "Secret", visibility: "private" });
    const playlist = await createPlaylist(user);
    for (const video_id of [hidden, "nosuchvideo"]) {
      await expectProblem(
        await api(`/api/v1/playlists/${playlist.id}/items`, { method: "POST", as: user, json: { video_id } }),
        404,
        "not_found",
      );
    }
    await expectProblem(
      await api(`/api/v1/playlists/${playlist.id}/items`, { method: "POST", as: user, json: { video_id: "bad id!" } }),
      400,
      "validation_failed",
    );
  });

  it("refuses a cursor it did not give, and clamps a large limit", async () => {
    const user = await registerUser();
    const playlist = await createPlaylist(user, { visibility: "public" });
    for (const cursor of ["nonsense", btoa("x:y"), btoa("1:bad rank")]) {
      await expectProblem(
        await api(`/api/v1/playlists/${playlist.id}/items?cursor=${encodeURIComponent(cursor)}`),
        400,
        "validation_failed",
      );
    }
    const res = await api(`/api/v1/playlists/${playlist.id}/items?limit=1000`);
    expect(((await res.json()) as { limit: number }).limit).toBe(100);
    await expectProblem(await api(`/api/v1/playlists/${playlist.id}/items?limit=0`), 400, "validation_failed");
    await expectProblem(await api("/api/v1/playlists/not*an*id"), 400, "validation_failed");
  });
});
