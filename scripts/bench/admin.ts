/**
 * Admin rendering at scale: server render time of `/admin` and of one booking page with 1k,
 * 10k and 100k stored bookings (seeded through the bookings store, cached per size under
 * .data/bench/), measured over loopback as a signed-in admin; and the JavaScript that `/admin`
 * ships, gzipped.
 * @module
 */
import { seedBookings } from "../seed_bookings.ts";
import { startAppProcess } from "../../tests/helpers/app_process.ts";
import { SECRET } from "./ingest.ts";

const PASSWORD = "bench-admin-password-long";
const CACHE = new URL("../../.data/bench/", import.meta.url).pathname;

async function seededKv(count: number): Promise<string> {
  const path = `${CACHE}admin-${count}.sqlite3`;
  if (await Deno.stat(`${path}.done`).then(() => true, () => false)) return path;
  await Deno.mkdir(CACHE, { recursive: true });
  for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(path + suffix).catch(() => {});
  const kv = await Deno.openKv(path);
  await seedBookings(kv, count);
  kv.close();
  await Deno.writeTextFile(`${path}.done`, new Date().toISOString());
  return path;
}

async function timeGet(url: string, cookie: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  const html = await res.text();
  if (res.status !== 200 || html.length < 100) throw new Error(`${url}: ${res.status}`);
  return performance.now() - started;
}

function summary(times: number[]) {
  times.sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)],
    p95Ms: times[Math.floor(times.length * 0.95)],
  };
}

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** Every script the page loads, following static imports between bundles. */
async function shippedJs(base: string, html: string, cookie: string) {
  const pending = [
    ...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*modulepreload[^>]*\shref)="([^"]+)"/g),
  ]
    .map((m) => new URL(m[1], base).href);
  const seen = new Set<string>();
  let raw = 0;
  let gzipped = 0;
  for (let url = pending.shift(); url; url = pending.shift()) {
    if (seen.has(url)) continue;
    seen.add(url);
    const bytes = new Uint8Array(await (await fetch(url, { headers: { cookie } })).arrayBuffer());
    raw += bytes.byteLength;
    gzipped += await gzipSize(bytes);
    const text = new TextDecoder().decode(bytes);
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{0,2}\/[^"]+\.js)"/g)) {
      pending.push(new URL(m[1], url).href);
    }
  }
  return { files: seen.size, rawBytes: raw, gzipBytes: gzipped };
}

async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/admin/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: url, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "bench@example.com", password: PASSWORD }),
  });
  await res.body?.cancel();
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (res.status !== 303 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
  return cookie;
}

interface AdminApp {
  size: number;
  stop: () => Promise<unknown>;
  cookie: string;
  pages: { list: string; booking: string };
}

/** One app on the seeded KV file of `size` bookings, signed in, both pages warmed up. */
async function startSeeded(size: number, log: (s: string) => void): Promise<AdminApp> {
  const started = performance.now();
  const kvPath = await seededKv(size);
  log(`  seeded ${size} bookings (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const kv = await Deno.openKv(kvPath);
  const newest = await Array.fromAsync(
    kv.list({ prefix: ["booking_recent"] }, { limit: 1, reverse: true }),
  );
  kv.close();
  const app = await startAppProcess({
    keepLogs: false,
    env: {
      KV_PATH: kvPath,
      CALCOM_WEBHOOK_SECRET: SECRET,
      QUEUE_MODE: "kv",
      ADMIN_EMAIL: "bench@example.com",
      ADMIN_PASSWORD: PASSWORD,
    },
  });
  const cookie = await signIn(app.url);
  const pages = {
    list: `${app.url}/admin`,
    booking: `${app.url}/admin/bookings/${newest[0].key[2] as string}`,
  };
  for (let i = 0; i < 5; i++) for (const url of Object.values(pages)) await timeGet(url, cookie);
  return { size, stop: () => app.stop("SIGTERM"), cookie, pages };
}

/**
 * All sizes run side by side and are timed in turn (1k, 10k, 100k, 1k, …), so a noisy moment
 * on the machine lands on every size alike instead of on whichever size ran then.
 */
export async function adminRender(sizes: number[], runs: number, log: (s: string) => void) {
  const apps: AdminApp[] = [];
  try {
    for (const size of sizes) apps.push(await startSeeded(size, log));
    const times = apps.map(() => ({ list: [] as number[], booking: [] as number[] }));
    for (let i = 0; i < runs; i++) {
      for (const [n, app] of apps.entries()) {
        times[n].list.push(await timeGet(app.pages.list, app.cookie));
        times[n].booking.push(await timeGet(app.pages.booking, app.cookie));
      }
    }
    const first = apps[0];
    const html = await (await fetch(first.pages.list, { headers: { cookie: first.cookie } }))
      .text();
    const js = await shippedJs(new URL(first.pages.list).origin, html, first.cookie);
    const rows = apps.map((app, n) => {
      const row = {
        size: app.size,
        list: summary(times[n].list),
        booking: summary(times[n].booking),
      };
      log(
        `  ${app.size} bookings: /admin ${row.list.medianMs.toFixed(1)} ms (p95 ${
          row.list.p95Ms.toFixed(1)
        }), booking page ${row.booking.medianMs.toFixed(1)} ms`,
      );
      return row;
    });
    return { rows, js };
  } finally {
    for (const app of apps) await app.stop();
  }
}
