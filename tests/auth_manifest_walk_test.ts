/**
 * Every route under ./routes/admin/ in the manifest, with every method it answers, is denied
 * without a session. Routes added later are covered without touching this file.
 */
import assert from "node:assert/strict";
import manifest from "@/fresh.gen.ts";
import { isPublicAdminPath } from "@/lib/auth/guard.ts";
import { startTestApp, type TestApp } from "./helpers/app.ts";
import { adminHeaders } from "./helpers/admin.ts";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
/** The only admin routes open without a session, by design. */
const PUBLIC_ROUTES = ["./routes/admin/login.tsx", "./routes/admin/setup/[token].tsx"];

/** `./routes/admin/bookings/[uid].tsx` → `/admin/bookings/param-uid`. */
function samplePath(file: string): string {
  const path = file.slice("./routes".length).replace(/\.[jt]sx?$/, "");
  const segments = path.split("/").filter((s) => s && !/^\(.*\)$/.test(s));
  if (segments.at(-1) === "index") segments.pop();
  return "/" + segments.map((segment) =>
    segment
      .replace(/^\[\.\.\.(\w+)\]$/, "param-$1/more")
      .replace(/^\[\[(\w+)\]\]$/, "param-$1")
      .replace(/\[(\w+)\]/g, "param-$1")
  ).join("/");
}

function methodsOf(module: Record<string, unknown>): string[] {
  const { handler } = module;
  if (typeof handler === "function") return [...METHODS];
  const table = (handler ?? {}) as Record<string, unknown>;
  const methods = METHODS.filter((m) => typeof table[m] === "function") as string[];
  if (module.default && !methods.includes("GET")) methods.push("GET");
  if (methods.includes("GET") && !methods.includes("HEAD")) methods.push("HEAD");
  return methods;
}

const adminRoutes = Object.entries(manifest.routes)
  .filter(([file]) => file.startsWith("./routes/admin/"))
  .filter(([file]) => !file.split("/").some((segment) => segment.startsWith("_")))
  .map(([file, module]) => ({
    file,
    path: samplePath(file),
    methods: methodsOf(module as Record<string, unknown>),
  }));

async function expectDenied(app: TestApp, method: string, path: string, init: RequestInit) {
  const res = await app.fetch(path, { ...init, method });
  const what = `${method} ${path}`;
  const machine = path.startsWith("/admin/api/") ||
    new Headers(init.headers).get("accept") !== "text/html";
  if (machine) {
    assert.equal(res.status, 401, what);
    if (method !== "HEAD") assert.equal((await res.json()).error, "unauthenticated", what);
  } else {
    assert.equal(res.status, 303, what);
    assert.match(res.headers.get("location")!, /^\/admin\/login(\?next=|$)/, what);
  }
  assert.equal(res.headers.get("x-frame-options"), "DENY", what);
  if (!res.bodyUsed) await res.body?.cancel();
}

Deno.test("[auth] manifest walk: the public admin routes are exactly login and set-up", () => {
  const open = adminRoutes.filter((r) => isPublicAdminPath(r.path)).map((r) => r.file).sort();
  assert.deepEqual(open, PUBLIC_ROUTES);
  assert.ok(adminRoutes.length >= 4, "the walk sees the admin routes");
});

Deno.test("[auth] manifest walk: every admin route and method is denied without a session", async (t) => {
  const app = await startTestApp();
  try {
    for (const route of adminRoutes.filter((r) => !PUBLIC_ROUTES.includes(r.file))) {
      await t.step(`${route.file} (${route.methods.join(", ")})`, async () => {
        // Every method, not only the exported ones: the guard answers before method dispatch.
        for (const method of new Set([...route.methods, ...METHODS])) {
          // Same-origin, so only the missing session can be the reason.
          await expectDenied(app, method, route.path, {
            headers: adminHeaders(undefined, { accept: "text/html" }),
          });
          await expectDenied(app, method, route.path, {
            headers: adminHeaders(undefined, { accept: "application/json" }),
          });
          await expectDenied(app, method, route.path, {
            headers: adminHeaders(`session=${"A".repeat(43)}`, { accept: "text/event-stream" }),
          });
        }
      });
    }
  } finally {
    app.close();
  }
});
