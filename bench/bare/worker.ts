import { DurableObject } from "cloudflare:workers";

interface BareEnv {
  MEDIA: R2Bucket;
  ROOM: DurableObjectNamespace<BareRoom>;
}

/**
 * The least a live room can do (room baseline): hibernatable WebSockets, and every POSTed
 * body sent to each of them. No auth, no validation, no storage.
 */
export class BareRoom extends DurableObject {
  async broadcast(text: string): Promise<void> {
    for (const socket of this.ctx.getWebSockets()) socket.send(text);
  }

  override async fetch(): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }
}

let fixed = "{}";

/**
 * GET/PUT /object/{key}        R2 straight through (delivery baseline)
 * GET /cached/{key}            the edge cache, filled from R2 on a miss: a segment hit with no
 *                              checks at all (the baseline of the platform's hit path, whose
 *                              access check for blocked and private videos it lacks)
 * GET /filled/{key}            R2 read whole and written to the edge cache on every request, the
 *                              copy answered: a cache miss with no checks (the baseline of the
 *                              platform's miss path, which also fills the cache; a bare R2 GET
 *                              writes nothing)
 * GET/PUT /json                a fixed JSON body (metadata baseline)
 * POST /mpu/{key}              create a multipart upload -> { upload_id }
 * PUT /mpu/{key}?upload_id&part=N   the request body straight into part N (upload baseline)
 * POST /mpu/{key}/complete?upload_id  body: [{ part, etag }]
 * GET /room (Upgrade: websocket)       join the one bare room
 * POST /room                           the body to every socket in it (room baseline)
 * POST /fanout?url&n&concurrency       the body POSTed to {url}/0 .. {url}/{n-1}, so many at once (webhook baseline)
 */
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === "/room") {
      const room = env.ROOM.get(env.ROOM.idFromName("bench"));
      if (request.method === "POST") {
        await room.broadcast(await request.text());
        return new Response(null, { status: 201 });
      }
      return room.fetch(request);
    }
    if (path.startsWith("/cached/")) {
      const cache = caches.default;
      const hit = await cache.match(request);
      if (hit) return hit;
      const object = await env.MEDIA.get(path.slice("/cached/".length));
      if (!object) return new Response("not found", { status: 404 });
      const response = new Response(object.body, {
        headers: {
          "Content-Type": "video/mp2t",
          "Content-Length": String(object.size),
          "Cache-Control": "public, max-age=86400",
        },
      });
      ctx.waitUntil(cache.put(request, response.clone()));
      return response;
    }
    if (path.startsWith("/filled/")) {
      const object = await env.MEDIA.get(path.slice("/filled/".length));
      if (!object) return new Response("not found", { status: 404 });
      const bytes = await object.arrayBuffer();
      const headers = {
        "Content-Type": "video/mp2t",
        "Content-Length": String(object.size),
        "Cache-Control": "public, max-age=86400",
      };
      ctx.waitUntil(caches.default.put(request.url, new Response(bytes.slice(0), { headers })));
      return new Response(bytes, { headers });
    }
    if (path === "/fanout" && request.method === "POST") {
      // What a webhook fan-out is without queues, storage or signatures: the requests alone.
      const body = await request.text();
      const base = url.searchParams.get("url") ?? "";
      const n = Number(url.searchParams.get("n"));
      let next = 0;
      let failed = 0;
      const lane = async () => {
        while (next < n) {
          const i = next++;
          const res = await fetch(`${base}/${i}`, {
            method: "POST",
            body,
            headers: { "Content-Type": "application/json" },
          }).catch(() => null);
          if (!res?.ok) failed++;
          await res?.body?.cancel();
        }
      };
      await Promise.all(Array.from({ length: Number(url.searchParams.get("concurrency") ?? 6) }, lane));
      return Response.json({ sent: n, failed });
    }
    if (path.startsWith("/object/")) {
      const key = path.slice("/object/".length);
      if (request.method === "PUT") {
        await env.MEDIA.put(key, request.body);
        return new Response(null, { status: 201 });
      }
      const object = await env.MEDIA.get(key);
      if (!object) return new Response("not found", { status: 404 });
      return new Response(object.body, {
        headers: { "Content-Type": "video/mp2t", "Content-Length": String(object.size) },
      });
    }
    if (path === "/json") {
      if (request.method === "PUT") {
        fixed = await request.text();
        return new Response(null, { status: 204 });
      }
      return new Response(fixed, { headers: { "Content-Type": "application/json" } });
    }
    if (path.startsWith("/mpu/")) {
      const complete = path.endsWith("/complete");
      const key = path.slice("/mpu/".length, complete ? -"/complete".length : undefined);
      const uploadId = url.searchParams.get("upload_id");
      if (request.method === "POST" && !complete) {
        const mpu = await env.MEDIA.createMultipartUpload(key);
        return Response.json({ upload_id: mpu.uploadId });
      }
      if (!uploadId) return new Response("upload_id?", { status: 400 });
      const mpu = env.MEDIA.resumeMultipartUpload(key, uploadId);
      if (request.method === "PUT") {
        const part = await mpu.uploadPart(Number(url.searchParams.get("part")), request.body!);
        return Response.json({ part: part.partNumber, etag: part.etag });
      }
      const parts = (await request.json()) as { part: number; etag: string }[];
      await mpu.complete(parts.map((p) => ({ partNumber: p.part, etag: p.etag })));
      return new Response(null, { status: 204 });
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<BareEnv>;
