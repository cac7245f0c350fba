import assert from "node:assert/strict";
import { pathToPattern, sortRoutePaths, toBaseRoute } from "../lib/fresh/paths.ts";
import { createRouter, selectMethod } from "../lib/fresh/router.ts";
import { extractRoutes } from "../lib/fresh/routes.ts";
import type { Manifest } from "../lib/fresh/types.ts";

const page = { default: () => null };
const noop = () => new Response("ok");

function manifestOf(routes: Record<string, Record<string, unknown>>): Manifest {
  return { routes, islands: {}, baseUrl: "file:///app/fresh.gen.ts" };
}

/** The file that answers `pathname` in an app made of `files` (all plain pages). */
function winner(files: string[], pathname: string): string | undefined {
  const table = extractRoutes(manifestOf(Object.fromEntries(files.map((f) => [f, page]))));
  return createRouter(table.routes)(pathname)?.route.file;
}

Deno.test("[router] file paths become URLPatterns", () => {
  const cases: [string, string][] = [
    ["index", "/"],
    ["blog/index", "/blog"],
    ["blog/[slug]", "/blog/:slug"],
    ["old/[...path]", "/old/:path*"],
    ["docs/[[version]]/index", "/docs{/:version}?"],
    ["[id]-x[bar]", "/:id-x:bar"],
    ["(group)/about", "/about"],
    ["(group)/index", "/"],
    ["api/calcom-webhook", "/api/calcom-webhook"],
    ["weird+name", "/weird\\+name"],
  ];
  for (const [path, pattern] of cases) assert.equal(pathToPattern(path), pattern, path);
  assert.throws(() => pathToPattern("[a][b]"), SyntaxError);
  assert.throws(() => pathToPattern("x-[[opt]]"), SyntaxError);
  assert.throws(() => pathToPattern("[bad-name]"), SyntaxError);
});

Deno.test("[router] base routes keep groups and drop index, _layout, _middleware", () => {
  assert.equal(toBaseRoute("_middleware"), "/");
  assert.equal(toBaseRoute("admin/_middleware"), "/admin");
  assert.equal(toBaseRoute("(admin)/users/_layout"), "/(admin)/users");
  assert.equal(toBaseRoute("blog/index"), "/blog");
  assert.equal(toBaseRoute("blog/[slug]"), "/blog/[slug]");
});

Deno.test("[router] sort order: _app, _middleware, _ files, literals, params, rest", () => {
  const files = [
    "./routes/[...rest].tsx",
    "./routes/[id].tsx",
    "./routes/about.tsx",
    "./routes/_layout.tsx",
    "./routes/_middleware.ts",
    "./routes/_app.tsx",
    "./routes/blog/_middleware.ts",
    "./routes/blog/[slug].tsx",
  ];
  assert.deepEqual([...files].sort(sortRoutePaths), [
    "./routes/_app.tsx",
    "./routes/_middleware.ts",
    "./routes/_layout.tsx",
    "./routes/about.tsx",
    "./routes/blog/_middleware.ts",
    "./routes/blog/[slug].tsx",
    "./routes/[id].tsx",
    "./routes/[...rest].tsx",
  ]);
});

Deno.test("[router] precedence: literal beats param beats rest, whatever the order", async (t) => {
  const files = ["./routes/[...rest].tsx", "./routes/[id].tsx", "./routes/about.tsx"];
  await t.step("literal", () => assert.equal(winner(files, "/about"), "./routes/about.tsx"));
  await t.step("param", () => assert.equal(winner(files, "/other"), "./routes/[id].tsx"));
  await t.step("rest", () => assert.equal(winner(files, "/a/b"), "./routes/[...rest].tsx"));
  await t.step("rest takes the root too", () => {
    assert.equal(winner(["./routes/[...rest].tsx"], "/"), "./routes/[...rest].tsx");
  });
  await t.step("a deeper literal beats a shallower param", () => {
    const nested = ["./routes/[a]/b.tsx", "./routes/x/[c].tsx"];
    assert.equal(winner(nested, "/x/b"), "./routes/x/[c].tsx");
  });
  await t.step("an earlier pattern keeps its place before a later string route", () => {
    const overlapping = ["./routes/(a)/[id].tsx", "./routes/(b)/[x]/index.tsx"];
    assert.equal(winner(overlapping, "/q"), "./routes/(a)/[id].tsx");
  });
  await t.step("no match", () => assert.equal(winner(["./routes/about.tsx"], "/nope"), undefined));
});

Deno.test("[router] params: decoded; missing rest and optional params are empty", () => {
  const table = extractRoutes(manifestOf({
    "./routes/blog/[slug].tsx": page,
    "./routes/old/[...path].tsx": page,
    "./routes/docs/[[version]]/index.tsx": page,
  }));
  const match = createRouter(table.routes);
  assert.deepEqual(match("/blog/caf%C3%A9%20au%20lait")?.params, { slug: "café au lait" });
  assert.deepEqual(match("/blog/100%")?.params, { slug: "100%" });
  assert.deepEqual(match("/old")?.params, { path: "" });
  assert.deepEqual(match("/old/a/b%2Fc")?.params, { path: "a/b/c" });
  assert.deepEqual(match("/docs")?.params, { version: "" });
  assert.deepEqual(match("/docs/v2")?.params, { version: "v2" });
});

Deno.test("[router] methods: page GET default, HEAD from GET, 405 lists Allow", async () => {
  const table = extractRoutes(manifestOf({
    "./routes/page.tsx": { ...page, handler: { POST: noop } },
    "./routes/api.ts": { handler: { DELETE: noop } },
    "./routes/any.ts": { handler: noop },
  }));
  const [any, api, pageRoute] = ["/any", "/api", "/page"].map((p) =>
    createRouter(table.routes)(p)!
  );
  assert.deepEqual(Object.keys(pageRoute.route.methods).sort(), ["GET", "HEAD", "POST"]);
  assert.equal(selectMethod(any.route, "PATCH"), noop);
  const refused = await selectMethod(api.route, "GET")(new Request("http://x/api"), {} as never);
  assert.equal(refused.status, 405);
  assert.equal(refused.headers.get("Allow"), "DELETE");
});

Deno.test("[router] exporting `handlers` instead of `handler` is an error", () => {
  assert.throws(
    () => extractRoutes(manifestOf({ "./routes/oops.ts": { handlers: { GET: noop } } })),
    /"handlers"/,
  );
});
