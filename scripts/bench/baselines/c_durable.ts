/**
 * Baseline (c): (b) plus durability — one kv.atomic() with a set (the raw body) and an enqueue,
 * on a KV file opened exactly as the app opens it. The ceiling for a durable webhook receiver
 * on this machine. Env: PORT, SECRET, KV_PATH.
 */
const port = Number(Deno.env.get("PORT") ?? 8100);
const kv = await Deno.openKv(Deno.env.get("KV_PATH") ?? ".data/bench-c.sqlite3");
const key = await crypto.subtle.importKey(
  "raw",
  new TextEncoder().encode(Deno.env.get("SECRET") ?? "bench-secret"),
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["verify"],
);
const decoder = new TextDecoder();

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: ({ port }) => console.log(`baseline c listening on http://127.0.0.1:${port}`),
}, async (req) => {
  const body = new Uint8Array(await req.arrayBuffer());
  const signature = hexBytes(req.headers.get("x-cal-signature-256") ?? "");
  if (!(await crypto.subtle.verify("HMAC", key, signature, body))) {
    return new Response("invalid signature", { status: 401 });
  }
  const event = JSON.parse(decoder.decode(body));
  const id = crypto.randomUUID();
  const result = await kv.atomic()
    .set(["event", id], body)
    .enqueue({ id })
    .commit();
  if (!result.ok) return new Response("not stored", { status: 503 });
  return Response.json({ ok: true, id, trigger: event.triggerEvent });
});
