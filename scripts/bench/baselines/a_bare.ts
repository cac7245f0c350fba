/**
 * Baseline (a): the least a webhook server can do on this machine — Deno.serve reading the
 * whole body and answering 200. Env: PORT.
 */
const port = Number(Deno.env.get("PORT") ?? 8100);

Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: ({ port }) => console.log(`baseline a listening on http://127.0.0.1:${port}`),
}, async (req) => {
  const body = new Uint8Array(await req.arrayBuffer());
  return Response.json({ ok: true, size: body.byteLength });
});
