/**
 * `GET /api/health`: is KV reachable, which dispatch mode runs, how many emails wait or died,
 * when the last webhook arrived. Counters only: no secrets, no personal data, no scans.
 */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { readCounters } from "@/lib/store/counters.ts";
import { LAST_EVENT_KEY } from "@/lib/store/ingest.ts";

export const handler: Handlers = {
  async GET() {
    const { kv, config } = services();
    try {
      const [queued, sending, dead] = await readCounters(kv, [
        ["counter", "deliveries", "queued"],
        ["counter", "deliveries", "sending"],
        ["counter", "deliveries", "dead"],
      ]);
      const last = await kv.get<{ at: string }>(LAST_EVENT_KEY);
      return Response.json({
        ok: true,
        kv: "ok",
        queueMode: config.queueMode,
        deliveries: { pending: queued + sending, dead },
        lastWebhookAt: last.value?.at ?? null,
      }, { headers: { "cache-control": "no-store" } });
    } catch {
      return Response.json(
        { ok: false, kv: "unreachable", queueMode: config.queueMode },
        { status: 503, headers: { "cache-control": "no-store" } },
      );
    }
  },
};
