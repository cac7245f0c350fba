/**
 * The dashboard's live updates as Server-Sent Events: `kv.watch` on the key every ingest commit
 * sets (`LAST_EVENT_KEY`), one `change` event per new webhook, and on the key every delivery
 * status change sets, one `delivery` event per change of an email. A comment every few seconds keeps
 * proxies from closing an idle stream; `retry` tells EventSource how soon to reconnect.
 * @module
 */
import { DELIVERY_CHANGE_KEY } from "../store/deliveries.ts";
import { LAST_EVENT_KEY } from "../store/ingest.ts";

const RECONNECT_MS = 2000;
const HEARTBEAT_MS = 15_000;

interface LastEvent {
  id: string;
  at: string;
}

const encoder = new TextEncoder();

/** One SSE message; data is JSON of ids and times only (no booking contents). */
function message(event: string, data: unknown): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/**
 * A `text/event-stream` response that ends when the client goes away (`signal`).
 *
 * @example
 * GET: (req) => changeStream(services().kv, req.signal)
 */
export function changeStream(kv: Deno.Kv, signal: AbortSignal): Response {
  const watch = kv.watch<[LastEvent, unknown]>([LAST_EVENT_KEY, DELIVERY_CHANGE_KEY]);
  const reader = watch.getReader();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    clearInterval(heartbeat);
    reader.cancel().catch(() => {});
  };
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(`retry: ${RECONNECT_MS}\n\n`));
      heartbeat = setInterval(() => controller.enqueue(encoder.encode(": ping\n\n")), HEARTBEAT_MS);
      signal.addEventListener("abort", stop, { once: true });
      let seen: (string | null)[] | undefined;
      try {
        while (true) {
          const { value, done } = await reader.read();
          if (done) break;
          const [event, delivery] = value;
          if (!seen) {
            // The first read is the current value: the client's starting point, not a change.
            controller.enqueue(message("ready", event.value ?? null));
          } else if (event.versionstamp !== seen[0]) {
            controller.enqueue(message("change", event.value ?? null));
          } else if (delivery.versionstamp !== seen[1]) {
            controller.enqueue(message("delivery", delivery.value ?? null));
          }
          seen = [event.versionstamp, delivery.versionstamp];
        }
        controller.close();
      } catch {
        // The client went away or KV closed: nothing left to tell anyone.
      } finally {
        stop();
      }
    },
    cancel: stop,
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}
