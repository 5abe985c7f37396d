interface BareEnv {
  MEDIA: R2Bucket;
}

/** GET/PUT /object/{key}: R2 straight through. GET /json: a fixed JSON body of the given size. */
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/object/")) {
      const key = url.pathname.slice("/object/".length);
      if (request.method === "PUT") {
        await env.MEDIA.put(key, request.body);
        return new Response(null, { status: 201 });
      }
      const object = await env.MEDIA.get(key);
      if (!object) return new Response("not found", { status: 404 });
      return new Response(object.body, { headers: { "Content-Type": "video/mp2t", "Content-Length": String(object.size) } });
    }
    if (url.pathname === "/json") {
      if (request.method === "PUT") {
        fixed = await request.text();
        return new Response(null, { status: 204 });
      }
      return new Response(fixed, { headers: { "Content-Type": "application/json" } });
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<BareEnv>;

let fixed = "{}";
