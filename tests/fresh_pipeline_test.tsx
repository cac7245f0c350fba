import assert from "node:assert/strict";
import { createHandler, type ServeHandler } from "$fresh/server.ts";
import { createServerHandler } from "../lib/fresh/handler.ts";
import manifest from "./fixtures/fresh_app/fresh.gen.ts";

const HTML = "text/html; charset=utf-8";
const handler = await createHandler(manifest);

function send(path: string, init?: RequestInit, app: ServeHandler = handler) {
  return app(new Request(`http://localhost${path}`, init));
}

/** Keeps the expected "[fresh] ... failed" error log of 500 tests out of the test output. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.error;
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.error = original;
  }
}

Deno.test("[fresh] pages render inside _app and the root layout", async () => {
  const response = await send("/");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), HTML);
  const body = await response.text();
  assert.match(body, /^<!DOCTYPE html><html lang="en">/);
  assert.match(
    body,
    /<body data-app="root"><div class="root-layout"><h1>Home<\/h1><\/div><\/body>/,
  );
});

Deno.test("[fresh] ctx.render(data, init) sets data, status and headers", async () => {
  const response = await send("/about");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), HTML);
  assert.equal(response.headers.get("x-page"), "about");
  assert.match(await response.text(), /<p>About from handler<\/p>/);
});

Deno.test("[fresh] methods: 405 with Allow, HEAD like GET without a body, one handler for all", async (t) => {
  await t.step("405", async () => {
    const response = await send("/api/echo", { method: "PATCH" });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, HEAD, DELETE");
    assert.equal(await response.text(), "");
  });
  await t.step("page plus POST handler", async () => {
    const refused = await send("/about", { method: "PUT" });
    assert.equal(refused.status, 405);
    assert.equal(refused.headers.get("allow"), "GET, HEAD, POST");
    const posted = await send("/about", { method: "POST" });
    assert.equal(posted.status, 201);
    assert.equal(await posted.text(), "posted");
  });
  await t.step("HEAD", async () => {
    const response = await send("/api/echo", { method: "HEAD" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(response.headers.get("x-echo"), "yes");
    assert.equal(response.body, null);
  });
  await t.step("single handler function", async () => {
    const response = await send("/api/any", { method: "DELETE" });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "any DELETE");
  });
});

Deno.test("[fresh] URL shapes: params, rest, optional, groups, overrides", async (t) => {
  const cases: [string, RegExp][] = [
    ["/blog", /<p>blog index<\/p>/],
    ["/blog/latest", /<p>latest post<\/p>/],
    ["/blog/hello%20world", /<p>post hello world<\/p>/],
    ["/x", /<p>item x at \/:id<\/p>/],
    ["/docs", /<p>docs version=<\/p>/],
    ["/docs/v2", /<p>docs version=v2<\/p>/],
    ["/pricing", /<div class="root-layout"><section class="marketing"><p>pricing<\/p>/],
    ["/defined", /<p>defined at \/defined<\/p>/],
  ];
  for (const [path, expected] of cases) {
    await t.step(path, async () => {
      const response = await send(path);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), HTML);
      assert.match(await response.text(), expected);
    });
  }
  await t.step("rest param", async () => {
    for (const [path, rest] of [["/old", ""], ["/old/a/b", "a/b"]]) {
      const response = await send(path);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { path: rest });
    }
  });
  await t.step("routeOverride", async () => {
    const response = await send("/custom/7");
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "override 7");
  });
  await t.step("(_x) folders are not routes", async () => {
    assert.equal((await send("/Banner")).status, 200); // answered by [id], not by (_components)
    assert.match(await (await send("/Banner")).text(), /item Banner/);
  });
});

Deno.test("[fresh] trailing slash 307s to the bare path; double slashes collapse", async () => {
  const redirected = await send("/about/?x=1");
  assert.equal(redirected.status, 307);
  assert.equal(redirected.headers.get("location"), "/about?x=1");
  const collapsed = await send("//about");
  assert.equal(collapsed.status, 200);
  assert.match(await collapsed.text(), /About from handler/);
  const noOpenRedirect = await send("//evil.example/");
  assert.equal(noOpenRedirect.status, 307);
  assert.equal(noOpenRedirect.headers.get("location"), "/evil.example");
});

Deno.test("[fresh] middlewares: root first, nested by folder, shared state, destination", async (t) => {
  await t.step("route", async () => {
    const response = await send("/admin");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-trail"), "root:route,admin:first,admin:second");
    assert.match(
      await response.text(),
      /admin role=staff trail=root:route>admin:first>admin:second<\/p>/,
    );
  });
  await t.step("a middleware may answer itself", async () => {
    const response = await send("/admin?deny");
    assert.equal(response.status, 401);
    assert.equal(await response.text(), "denied");
  });
  await t.step("static files and 404s run the root middleware only", async () => {
    const file = await send("/robots.txt");
    assert.equal(file.headers.get("x-trail"), "root:static");
    await file.body?.cancel();
    const missing = await send("/admin/nothing/here");
    assert.equal(missing.headers.get("x-trail"), "root:notFound");
    await missing.body?.cancel();
  });
});

Deno.test("[fresh] layouts: skipInheritedLayouts and skipAppWrapper", async () => {
  const admin = await (await send("/admin")).text();
  assert.match(admin, /<body data-app="root"><main class="admin-layout">/);
  assert.doesNotMatch(admin, /root-layout/);
  const plain = await send("/plain");
  assert.equal(plain.status, 200);
  assert.equal(
    await plain.text(),
    '<!DOCTYPE html><html><head><meta charset="utf-8"/><meta name="viewport" ' +
      'content="width=device-width, initial-scale=1.0"/></head><body><p>plain</p></body></html>',
  );
});

Deno.test("[fresh] _404: unknown paths, renderNotFound, sync Deno.errors.NotFound", async (t) => {
  for (const path of ["/nope/deeper", "/api/missing", "/async?mode=missing"]) {
    await t.step(path, async () => {
      const response = await send(path);
      assert.equal(response.status, 404);
      assert.equal(response.headers.get("content-type"), HTML);
      assert.match(await response.text(), /<h1>No page at \/[a-z/]+/);
    });
  }
  await t.step("renderNotFound passes data", async () => {
    assert.match(await (await send("/async?mode=missing")).text(), /No page at \/async \(async\)/);
  });
});

Deno.test("[fresh] _500: errors from handlers and from rendering", async () => {
  for (const [path, message] of [["/api/throws", "handler"], ["/render-error", "render"]]) {
    const response = await quietly(() => send(path));
    assert.equal(response.status, 500);
    assert.equal(response.headers.get("content-type"), HTML);
    assert.match(await response.text(), new RegExp(`<h1>Broken: ${message} exploded</h1>`));
  }
});

Deno.test("[fresh] async routes may return JSX or a Response", async () => {
  const page = await send("/async");
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("content-type"), HTML);
  assert.match(await page.text(), /<p>async for \/async<\/p>/);
  const redirect = await send("/async?mode=redirect");
  assert.equal(redirect.status, 303);
  assert.equal(redirect.headers.get("location"), "/");
});

Deno.test("[fresh] apps without _404/_500 get an empty 404 and a generic 500", async () => {
  const app = await createHandler({
    routes: {
      "./routes/boom.ts": {
        handler: () => {
          throw new Error("secret detail");
        },
      },
    },
    islands: {},
    baseUrl: "file:///nonexistent/fresh.gen.ts",
  });
  const missing = await send("/nothing", undefined, app);
  assert.equal(missing.status, 404);
  assert.equal(await missing.text(), "");
  const broken = await quietly(() => send("/boom", undefined, app));
  assert.equal(broken.status, 500);
  assert.equal(broken.headers.get("content-type"), HTML);
  const body = await broken.text();
  assert.match(body, /An error occurred/);
  assert.doesNotMatch(body, /secret detail/);
});

Deno.test("[fresh] seams: renderDocument and the /_frsh/ handler", async () => {
  const app = await createServerHandler(manifest, {}, {
    renderDocument: (vnode, info) => `<!DOCTYPE html><x-doc route="${info.route}">${typeof vnode}`,
    handleInternal: (_req, url) =>
      url.pathname === "/_frsh/js/1/main.js" ? new Response("js", { status: 200 }) : undefined,
  });
  const page = await send("/blog/x", undefined, app);
  assert.equal(page.status, 200);
  assert.equal(await page.text(), '<!DOCTYPE html><x-doc route="/blog/:slug">object');
  const asset = await send("/_frsh/js/1/main.js", undefined, app);
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get("x-trail"), "root:internal");
  assert.equal(await asset.text(), "js");
  const unknown = await send("/_frsh/js/1/nope.js", undefined, app);
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
});
