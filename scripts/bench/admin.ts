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

async function timeGets(url: string, cookie: string, runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    const html = await res.text();
    if (res.status !== 200 || html.length < 100) throw new Error(`${url}: ${res.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(runs / 2)], p95Ms: times[Math.floor(runs * 0.95)] };
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

export async function adminRender(sizes: number[], runs: number, log: (s: string) => void) {
  const rows = [];
  let js = { files: 0, rawBytes: 0, gzipBytes: 0 };
  for (const size of sizes) {
    const started = performance.now();
    const kvPath = await seededKv(size);
    log(`  seeded ${size} bookings (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    const kv = await Deno.openKv(kvPath);
    const newest = await Array.fromAsync(
      kv.list({ prefix: ["booking_recent"] }, { limit: 1, reverse: true }),
    );
    kv.close();
    const uid = newest[0].key[2] as string;
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
    await timeGets(`${app.url}/admin`, cookie, 3); // warm-up
    const list = await timeGets(`${app.url}/admin`, cookie, runs);
    const booking = await timeGets(`${app.url}/admin/bookings/${uid}`, cookie, runs);
    if (size === sizes[0]) {
      const html = await (await fetch(`${app.url}/admin`, { headers: { cookie } })).text();
      js = await shippedJs(app.url, html, cookie);
    }
    await app.stop("SIGTERM");
    rows.push({ size, list, booking });
    log(
      `  ${size} bookings: /admin ${list.medianMs.toFixed(1)} ms (p95 ${list.p95Ms.toFixed(1)}), ` +
        `booking page ${booking.medianMs.toFixed(1)} ms`,
    );
  }
  return { rows, js };
}
