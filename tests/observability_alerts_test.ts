import assert from "node:assert/strict";
import {
  activeAlerts,
  type AlertSettings,
  alertSettings,
  checkAlerts,
  noteDeadDelivery,
  noteSignatureFailure,
  settleAlertNotices,
} from "@/lib/alerts/mod.ts";
import { SPIKE_THRESHOLD } from "@/lib/alerts/kinds.ts";
import { adjustCounter } from "@/lib/store/counters.ts";
import { type AlertReceiver, startAlertReceiver } from "./helpers/alert_receiver.ts";
import { adminHeaders, signIn } from "./helpers/admin.ts";
import { startTestApp } from "./helpers/app.ts";
import { bookingEvent, signedWebhookRequest } from "./helpers/calcom.ts";

const MINUTE = 60_000;

interface Harness {
  kv: Deno.Kv;
  receiver: AlertReceiver;
  settings: AlertSettings;
  clock: { now: number };
  /** Delays the notice sender asked to sleep; nothing really waits. */
  sleeps: number[];
  close(): Promise<void>;
}

async function harness(
  overrides: Partial<AlertSettings> = {},
  start = Date.UTC(2030, 0, 1),
): Promise<Harness> {
  const kv = await Deno.openKv(":memory:");
  const receiver = startAlertReceiver();
  const clock = { now: start };
  const sleeps: number[] = [];
  const settings = alertSettings(
    { alerts: { webhookUrl: receiver.url, silenceHours: 0 }, publicUrl: "https://ops.test" },
    {
      now: () => clock.now,
      sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
      ...overrides,
    },
  );
  return {
    kv,
    receiver,
    settings,
    clock,
    sleeps,
    close: async () => {
      await settleAlertNotices();
      kv.close();
      await receiver.close();
    },
  };
}

async function setDeadCount(kv: Deno.Kv, delta: 1 | -1) {
  const op = kv.atomic();
  adjustCounter(op, ["counter", "deliveries", "dead"], delta);
  await op.commit();
}

Deno.test("[alerts] dead emails: one notice when the incident opens, one when it resolves", async () => {
  const h = await harness();
  await setDeadCount(h.kv, 1);
  const opened = await Promise.all(
    ["D1", "D2", "D3", "D4", "D5"].map((id) => noteDeadDelivery(h.kv, id, h.settings)),
  );
  await settleAlertNotices();
  assert.equal(opened.filter(Boolean).length, 1, "exactly one caller opens the incident");
  assert.equal(h.receiver.notices.length, 1);
  const [notice] = h.receiver.notices;
  assert.equal(notice.alert, "email_dead");
  assert.equal(notice.state, "opened");
  assert.match(notice.text, /could not be delivered/);
  assert.match(notice.text, /https:\/\/ops\.test\/admin/);

  const banner = await activeAlerts(h.kv);
  assert.equal(banner.length, 1);
  assert.equal(banner[0].kind, "email_dead");
  assert.equal(banner[0].occurrences, 5);

  await checkAlerts(h.kv, h.settings); // still one dead email: nothing new
  assert.equal(h.receiver.notices.length, 1);

  await setDeadCount(h.kv, -1); // staff resent it
  h.clock.now += MINUTE;
  await checkAlerts(h.kv, h.settings);
  await checkAlerts(h.kv, h.settings);
  assert.deepEqual(h.receiver.notices.map((n) => n.state), ["opened", "resolved"]);
  assert.equal(h.receiver.notices[1].incident, notice.incident);
  assert.deepEqual(await activeAlerts(h.kv), []);

  await setDeadCount(h.kv, 1); // a new incident later gets its own notice
  await noteDeadDelivery(h.kv, "D6", h.settings);
  await settleAlertNotices();
  assert.equal(h.receiver.notices.length, 3);
  assert.notEqual(h.receiver.notices[2].incident, notice.incident);
  await h.close();
});

Deno.test("[alerts] a failing receiver is retried with backoff, and the notice is sent once", async () => {
  const h = await harness();
  await setDeadCount(h.kv, 1);
  h.receiver.failNext(2, 503);
  await noteDeadDelivery(h.kv, "D1", h.settings);
  await settleAlertNotices();
  assert.equal(h.receiver.requests, 3);
  assert.equal(h.receiver.notices.length, 1);
  assert.equal(h.sleeps.length, 2);
  assert.ok(h.sleeps[1] > h.sleeps[0], "the second wait is longer");
  await checkAlerts(h.kv, h.settings);
  assert.equal(h.receiver.notices.length, 1, "never sent again");
  await h.close();
});

Deno.test("[alerts] a receiver down for long: the minute check delivers it after the backoff", async () => {
  const h = await harness();
  await setDeadCount(h.kv, 1);
  h.receiver.failNext(6, 500);
  await noteDeadDelivery(h.kv, "D1", h.settings);
  await settleAlertNotices();
  assert.equal(h.receiver.requests, 4, "the first try and three quick retries");
  assert.equal(h.receiver.notices.length, 0);

  await checkAlerts(h.kv, h.settings); // backoff not over yet: no request
  assert.equal(h.receiver.requests, 4);

  h.clock.now += 2 * MINUTE;
  await checkAlerts(h.kv, h.settings); // two more failures, then success
  assert.equal(h.receiver.notices.length, 1);
  assert.equal(h.receiver.notices[0].state, "opened");
  await checkAlerts(h.kv, h.settings);
  assert.equal(h.receiver.notices.length, 1);
  await h.close();
});

Deno.test("[alerts] a receiver that refuses (404) is not retried", async () => {
  const h = await harness();
  await setDeadCount(h.kv, 1);
  h.receiver.failNext(1, 404);
  await noteDeadDelivery(h.kv, "D1", h.settings);
  await settleAlertNotices();
  h.clock.now += 60 * MINUTE;
  await checkAlerts(h.kv, h.settings);
  assert.equal(h.receiver.requests, 1);
  assert.equal((await activeAlerts(h.kv)).length, 1, "the banner still shows it");
  await h.close();
});

Deno.test("[alerts] signature failures: a spike opens once and resolves when it calms down", async () => {
  const h = await harness();
  for (let i = 1; i < SPIKE_THRESHOLD; i++) {
    await noteSignatureFailure(h.kv, h.settings);
    if (i % 5 === 0) h.clock.now += MINUTE; // spread over the window
  }
  assert.deepEqual(await activeAlerts(h.kv), []);
  assert.equal(await noteSignatureFailure(h.kv, h.settings), SPIKE_THRESHOLD);
  for (let i = 0; i < 30; i++) await noteSignatureFailure(h.kv, h.settings);
  await settleAlertNotices();
  assert.equal(h.receiver.notices.length, 1);
  assert.equal(h.receiver.notices[0].alert, "signature_spike");

  h.clock.now += 5 * MINUTE;
  await checkAlerts(h.kv, h.settings); // still many in the window
  assert.equal(h.receiver.notices.length, 1);
  h.clock.now += 6 * MINUTE;
  await checkAlerts(h.kv, h.settings);
  assert.deepEqual(h.receiver.notices.map((n) => n.state), ["opened", "resolved"]);
  assert.deepEqual(await activeAlerts(h.kv), []);
  await h.close();
});

Deno.test("[alerts] spread-out failures below the rate never alert", async () => {
  const h = await harness();
  for (let i = 0; i < 3 * SPIKE_THRESHOLD; i++) {
    await noteSignatureFailure(h.kv, h.settings);
    h.clock.now += MINUTE; // one a minute: at most 10 in any window
  }
  await checkAlerts(h.kv, h.settings);
  assert.equal(h.receiver.requests, 0);
  await h.close();
});

Deno.test("[alerts] silence: counted only while the app is up, resolved by a webhook", async () => {
  const app = await startTestApp();
  const receiver = startAlertReceiver();
  const clock = { now: Date.now() - 3 * 60 * MINUTE };
  const settings = alertSettings({ alerts: { webhookUrl: receiver.url, silenceHours: 1 } }, {
    now: () => clock.now,
    sleep: () => Promise.resolve(),
  });
  const tick = async (minutes: number) => {
    clock.now += minutes * MINUTE;
    await checkAlerts(app.kv, settings);
    await settleAlertNotices(); // the notice a check opened is posted before time moves on
  };

  await tick(0);
  for (let i = 0; i < 11; i++) await tick(5); // 55 minutes up
  assert.equal(receiver.requests, 0);
  await tick(30); // a gap: the app was down, the silence starts again
  for (let i = 0; i < 11; i++) await tick(5);
  assert.equal(receiver.requests, 0);
  await tick(5); // one hour of uptime without a webhook
  assert.deepEqual(receiver.notices.map((n) => [n.alert, n.state]), [
    ["webhook_silence", "opened"],
  ]);
  assert.match(receiver.notices[0].detail, /no webhook received in 1 h of uptime/);
  await tick(60); // still silent: no second notice
  assert.equal(receiver.notices.length, 1);

  const res = await app.request(await signedWebhookRequest(bookingEvent("BOOKING_CREATED")));
  assert.equal(res.status, 200);
  clock.now = Date.now() + MINUTE;
  await checkAlerts(app.kv, settings);
  assert.deepEqual(receiver.notices.map((n) => n.state), ["opened", "resolved"]);
  await settleAlertNotices();
  await receiver.close();
  app.close();
});

Deno.test("[alerts] without ALERT_WEBHOOK_URL: the banner only, nothing is posted", async () => {
  let posts = 0;
  const kv = await Deno.openKv(":memory:");
  const settings = alertSettings({ alerts: { silenceHours: 0 } }, {
    fetch: () => (posts++, Promise.resolve(new Response("ok"))),
  });
  await setDeadCount(kv, 1);
  await noteDeadDelivery(kv, "D1", settings);
  await checkAlerts(kv, settings);
  await settleAlertNotices();
  assert.equal(posts, 0);
  assert.equal((await activeAlerts(kv))[0].kind, "email_dead");
  kv.close();
});

Deno.test("[alerts] bad signatures through the webhook route open the spike alert", async () => {
  const receiver = startAlertReceiver();
  const app = await startTestApp({ ALERT_WEBHOOK_URL: receiver.url });
  for (let i = 0; i < SPIKE_THRESHOLD + 5; i++) {
    const req = await signedWebhookRequest(bookingEvent("BOOKING_CREATED"), {
      signature: "0".repeat(64),
    });
    assert.equal((await app.request(req)).status, 401);
  }
  await settleAlertNotices();
  assert.deepEqual(receiver.notices.map((n) => [n.alert, n.state]), [
    ["signature_spike", "opened"],
  ]);
  assert.equal((await activeAlerts(app.kv))[0].kind, "signature_spike");
  await receiver.close();
  app.close();
});

Deno.test("[alerts] the admin banner shows open incidents and what to do", async () => {
  const app = await startTestApp();
  const cookie = await signIn(app);
  const page = async () => {
    const res = await app.fetch("/admin", { headers: adminHeaders(cookie) });
    assert.equal(res.status, 200);
    return await res.text();
  };
  assert.doesNotMatch(await page(), /alert-banner/);
  await noteDeadDelivery(app.kv, "D-BANNER", alertSettings(app.services.config));
  const html = await page();
  assert.match(html, /class="error alert-banner"/);
  assert.match(html, /A staff email could not be delivered/);
  assert.match(html, /latest dead delivery D-BANNER/);
  assert.match(html, /Emails \(status dead\)/);
  app.close();
});
