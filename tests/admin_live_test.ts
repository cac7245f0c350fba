import assert from "node:assert/strict";
import { startTestApp } from "./helpers/app.ts";
import { adminHeaders, signIn } from "./helpers/admin.ts";
import { bookingEvent, signedWebhookRequest } from "./helpers/calcom.ts";
import { createDispatcher, dispatchDelivery } from "@/lib/outbox/dispatcher.ts";
import { listBookingDeliveries } from "@/lib/store/deliveries.ts";

/** Reads SSE messages from a response body, one `{ event, data }` per call. */
function sseReader(body: ReadableStream<Uint8Array<ArrayBuffer>>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async next(): Promise<{ event?: string; data?: string; retry?: string }> {
      while (true) {
        const end = buffer.indexOf("\n\n");
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            const at = line.indexOf(":");
            fields[line.slice(0, at)] = line.slice(at + 1).trim();
          }
          if (Object.keys(fields).length > 0) return fields;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

Deno.test("[admin] /admin/api/events streams each new webhook and each email status change", async () => {
  const app = await startTestApp();
  const cookie = await signIn(app, { role: "viewer" });
  const controller = new AbortController();
  const res = await app.request(
    new Request("http://localhost/admin/api/events", {
      headers: adminHeaders(cookie, { accept: "text/event-stream" }),
      signal: controller.signal,
    }),
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const events = sseReader(res.body!);
  assert.ok((await events.next()).retry, "tells EventSource how soon to reconnect");
  const ready = await events.next();
  assert.equal(ready.event, "ready");
  assert.equal(ready.data, "null", "no event yet");

  const bookingBody = bookingEvent("BOOKING_CREATED");
  const posted = await app.request(await signedWebhookRequest(bookingBody));
  const { id } = await posted.json();
  const change = await events.next();
  assert.equal(change.event, "change");
  assert.equal(JSON.parse(change.data!).id, id);
  assert.ok(!change.data!.includes("Guest"), "ids and times only, no booking contents");

  // The booking's email is sent (dev outbox): the stream says an email changed status.
  const [delivery] = await listBookingDeliveries(app.kv, JSON.parse(bookingBody).payload.uid);
  assert.equal(await dispatchDelivery(createDispatcher(app.services), delivery.id), "delivered");
  let update = await events.next();
  while (update.event === "delivery" && JSON.parse(update.data!).status === "sending") {
    update = await events.next();
  }
  assert.equal(update.event, "delivery");
  assert.deepEqual(JSON.parse(update.data!), { id: delivery.id, status: "delivered" });

  await events.cancel();
  controller.abort();
  app.close();
});

Deno.test("[admin] the event stream is denied without a session", async () => {
  const app = await startTestApp();
  const res = await app.fetch("/admin/api/events", { headers: { accept: "text/event-stream" } });
  assert.equal(res.status, 401);
  await res.body?.cancel();
  app.close();
});
