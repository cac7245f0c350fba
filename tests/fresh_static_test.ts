import assert from "node:assert/strict";
import { createServerHandler, type ServeHandler } from "../lib/fresh/handler.ts";
import type { Manifest } from "../lib/fresh/types.ts";

const BUILD_ID = "build-42";
/** The fixture's static/ folder without any routes, so nothing but files can answer. */
const filesOnly: Manifest = {
  routes: {},
  islands: {},
  baseUrl: new URL("./fixtures/fresh_app/fresh.gen.ts", import.meta.url).href,
};
const handler = await createServerHandler(filesOnly, {}, { buildId: BUILD_ID });

function send(path: string, init?: RequestInit, app: ServeHandler = handler) {
  return app(new Request(`http://localhost${path}`, init));
}

Deno.test("[static] files are served with type, ETag and a short revalidating cache", async () => {
  const response = await send("/styles.css");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/css; charset=utf-8");
  assert.match(response.headers.get("etag") ?? "", /^"[0-9a-f]{40}"$/);
  assert.equal(response.headers.get("cache-control"), "public, max-age=60, must-revalidate");
  assert.equal(
    await response.text(),
    await Deno.readTextFile("tests/fixtures/fresh_app/static/styles.css"),
  );
  const nested = await send("/nested/data.json");
  assert.equal(nested.status, 200);
  assert.equal(nested.headers.get("content-type"), "application/json; charset=utf-8");
  assert.deepEqual(await nested.json(), { ok: true });
});

Deno.test("[static] If-None-Match with the current ETag gets 304 without a body", async () => {
  const first = await send("/robots.txt");
  const etag = first.headers.get("etag")!;
  await first.body?.cancel();
  for (const header of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
    const response = await send("/robots.txt", { headers: { "If-None-Match": header } });
    assert.equal(response.status, 304, header);
    assert.equal(response.headers.get("etag"), etag);
    assert.equal(response.body, null);
  }
  const changed = await send("/robots.txt", { headers: { "If-None-Match": '"stale"' } });
  assert.equal(changed.status, 200);
  await changed.body?.cancel();
});

Deno.test("[static] the ETag depends on the build id", async () => {
  const other = await createServerHandler(filesOnly, {}, { buildId: "build-43" });
  const [a, b] = await Promise.all([send("/robots.txt"), send("/robots.txt", undefined, other)]);
  assert.notEqual(a.headers.get("etag"), b.headers.get("etag"));
  await Promise.all([a.body?.cancel(), b.body?.cancel()]);
});

Deno.test("[static] asset() URLs are immutable; an old build's URL 307s to the bare path", async () => {
  const current = await send(`/styles.css?__frsh_c=${BUILD_ID}`);
  assert.equal(current.status, 200);
  assert.equal(current.headers.get("content-type"), "text/css; charset=utf-8");
  assert.equal(current.headers.get("cache-control"), "public, max-age=31536000, immutable");
  await current.body?.cancel();
  const stale = await send("/styles.css?__frsh_c=build-1&v=2");
  assert.equal(stale.status, 307);
  assert.equal(stale.headers.get("location"), "/styles.css?v=2");
});

Deno.test("[static] HEAD has headers and no body; other methods get 405", async () => {
  const head = await send("/styles.css", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-type"), "text/css; charset=utf-8");
  assert.ok(Number(head.headers.get("content-length")) > 0);
  assert.equal(head.body, null);
  const post = await send("/styles.css", { method: "POST" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
});

Deno.test("[static] traversal attempts and unknown files are 404", async () => {
  const attempts = [
    "/../deno.json",
    "/%2e%2e/%2e%2e/deno.json",
    "/nested/..%2f..%2f..%2f..%2fdeno.json",
    "/nested%2f..%2f..%2fdeno.json",
    "/..%5c..%5cdeno.json",
    "/static/styles.css",
    "/nested",
    "/%ZZ",
    "/fresh.gen.ts",
  ];
  for (const path of attempts) {
    const response = await send(path);
    assert.equal(response.status, 404, path);
    assert.equal(await response.text(), "");
  }
});
