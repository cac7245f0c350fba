/**
 * The sender's building blocks in-process: every trigger's template is a body our receiver
 * recognises and stores, the table is coloured only where it should be, and flags parse.
 */
import assert from "node:assert/strict";
import { parseCalcomDelivery } from "@/lib/calcom/event.ts";
import { KNOWN_TRIGGERS } from "@/lib/calcom/schema.ts";
import { parseSendArgs, UsageError } from "@/scripts/webhook/args.ts";
import { paintFor, suiteTable } from "@/scripts/webhook/report.ts";
import { buildDelivery } from "@/scripts/webhook/templates.ts";
import { startTestApp } from "./helpers/app.ts";
import { signedWebhookRequest } from "./helpers/calcom.ts";

const encode = (s: string) => new TextEncoder().encode(s);
const ESC = "\x1b";

Deno.test("[webhook:send] every known trigger has a template the receiver recognises", () => {
  for (const trigger of KNOWN_TRIGGERS) {
    const { body, booking } = buildDelivery(trigger);
    assert.equal(body, JSON.stringify(JSON.parse(body)), `${trigger}: compact JSON`);
    const parsed = parseCalcomDelivery(encode(body));
    assert.ok(parsed.recognised, `${trigger}: ${!parsed.recognised && parsed.reason}`);
    assert.equal(parsed.event.trigger, trigger);
    if (parsed.event.kind === "booking") assert.equal(parsed.event.booking.uid, booking.uid);
  }
});

Deno.test("[webhook:send] MEETING_* are flat and forms carry their answers at the root", () => {
  const meeting = JSON.parse(buildDelivery("MEETING_ENDED").body);
  assert.equal(meeting.payload, undefined);
  assert.equal(typeof meeting.uid, "string");
  const form = JSON.parse(buildDelivery("FORM_SUBMITTED").body);
  assert.equal(form["Which service do you need?"], "Kitchen renovation");
  assert.equal(typeof form.payload.formId, "string");
});

Deno.test("[webhook:send] the app stores every template with 200 (none is 'unrecognised')", async () => {
  const app = await startTestApp();
  try {
    for (const trigger of KNOWN_TRIGGERS) {
      const res = await app.request(await signedWebhookRequest(buildDelivery(trigger).body));
      assert.equal(res.status, 200, trigger);
      assert.equal((await res.json()).ok, true);
    }
  } finally {
    app.close();
  }
});

Deno.test("[webhook:send] colour only on a terminal without NO_COLOR", () => {
  const results = [
    { name: "health", expected: "200", status: 200, passed: true, detail: "ok=true" },
    { name: "oversized body", expected: "413", status: 200, passed: false, detail: "ok=true" },
  ];
  const coloured = suiteTable("http://x/api/calcom-webhook", results, paintFor(true, undefined));
  assert.ok(coloured.includes(`${ESC}[32mPASS`));
  assert.ok(coloured.includes(`${ESC}[31mFAIL`));
  for (const paint of [paintFor(true, "1"), paintFor(false, undefined)]) {
    const plain = suiteTable("http://x/api/calcom-webhook", results, paint);
    assert.ok(!plain.includes(ESC));
    assert.ok(plain.includes("\noversized body  413       200  FAIL    ok=true\n"));
    assert.match(plain, /1 of 2 checks FAILED$/);
  }
});

Deno.test("[webhook:send] flags: defaults, modes and conflicts", () => {
  const defaults = parseSendArgs([]);
  assert.deepEqual(
    [defaults.mode, defaults.env, defaults.event, defaults.signature, defaults.webhookVersion],
    ["single", "local", "PING", "valid", "2021-10-20"],
  );
  assert.equal(parseSendArgs(["--suite"]).mode, "suite");
  assert.equal(parseSendArgs(["--sequence"]).mode, "sequence");
  assert.equal(parseSendArgs(["--no-secret"]).signature, "no-secret");
  for (
    const bad of [
      ["--env", "local", "--url", "http://x"],
      ["--suite", "--sequence"],
      ["--file", "a.json", "--event", "PING"],
      ["--suite", "--bad-signature"],
      ["--bad-signature", "--no-secret"],
    ]
  ) assert.throws(() => parseSendArgs(bad), UsageError, bad.join(" "));
});
