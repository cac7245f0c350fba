/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against the real app
 * on a free port: sign in through the form, a signed webhook's booking appears live, filter and
 * search without reload, open the booking, resend its email and see the status change, sign
 * out. The console must stay clean (CSP violations land there) and axe-core must find no
 * serious or critical problem on any admin page. Skipped where Chromium is not installed.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import axe from "axe-core";
import { createHandler } from "$fresh/server.ts";
import manifest from "@/fresh.gen.ts";
import { initServices } from "@/lib/app.ts";
import { createAccount } from "@/lib/auth/accounts.ts";
import { loadConfig } from "@/lib/config.ts";
import { startDispatch } from "@/lib/outbox/mod.ts";
import { prepareServices } from "@/lib/startup.ts";
import { bookingEvent, signedWebhookRequest, TEST_SECRET } from "./helpers/calcom.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const EMAIL = "owner@example.com";
const PASSWORD = "correct horse battery staple";
const WAIT = { timeout: 15_000 };

/** `deno task build` when there is no build yet: the test runs the AOT bundles, as production. */
async function ensureBuild(): Promise<void> {
  if (await Deno.stat(`${ROOT}_fresh/snapshot.json`).then(() => true, () => false)) return;
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["task", "build"],
    cwd: ROOT,
    stdout: "null",
    stderr: "inherit",
  }).output();
  assert.ok(built.success, "deno task build failed");
}

async function startApp() {
  const result = loadConfig({
    KV_PATH: ":memory:",
    CALCOM_WEBHOOK_SECRET: TEST_SECRET,
    QUEUE_MODE: "cron",
    STAFF_TIMEZONE: "Europe/Berlin",
  });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  const kv = await Deno.openKv(":memory:");
  const { services } = await prepareServices(result.config, kv);
  initServices(services);
  startDispatch(services);
  await createAccount(kv, { email: EMAIL, password: PASSWORD, role: "admin" });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    await createHandler(manifest),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const sendWebhook = async (body: string) => {
    const signed = await signedWebhookRequest(body);
    const res = await fetch(`${origin}/api/calcom-webhook`, {
      method: "POST",
      headers: signed.headers,
      body,
    });
    const answer = await res.text();
    assert.ok(res.ok, answer);
  };
  return { kv, server, origin, sendWebhook };
}

/** Everything the console and the network say that a clean page must not. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  return problems;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: unknown[];
}

/** axe-core in the page (evaluated through devtools, so the page's CSP is not weakened). */
async function seriousViolations(page: Page): Promise<string[]> {
  const hasAxe = await page.evaluate(() => "axe" in globalThis);
  if (!hasAxe) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const run = (globalThis as unknown as {
      axe: { run(): Promise<{ violations: AxeViolation[] }> };
    }).axe.run;
    return (await run()).violations;
  }) as AxeViolation[];
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} ×${v.nodes.length}`);
}

async function checkAxe(page: Page, label: string, report: Map<string, string[]>) {
  const found = await seriousViolations(page);
  report.set(label, found);
  assert.deepEqual(found, [], `axe on ${label}`);
}

/** A value the page keeps only while it is not reloaded. */
const markPage = (page: Page) =>
  page.evaluate(() => (globalThis as { __kept?: number }).__kept = 1);
const stillSamePage = (page: Page) =>
  page.evaluate(() => (globalThis as { __kept?: number }).__kept === 1);

const rowCount = (page: Page) => page.locator("table.bookings tbody tr").count();

Deno.test({
  name: hasChromium
    ? "[admin] browser: sign in, live booking, filter, search, resend, sign out, axe"
    : "[admin] browser: skipped, /usr/bin/chromium is not installed",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await ensureBuild();
    const app = await startApp();
    let browser: Browser | undefined;
    const axeReport = new Map<string, string[]>();
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
        ],
      });
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = watchProblems(page);

      await t.step("sign in through the form", async () => {
        await page.goto(`${app.origin}/admin`);
        await page.waitForURL(/\/admin\/login/);
        await checkAxe(page, "/admin/login", axeReport);
        await page.getByLabel("Email").fill(EMAIL);
        await page.getByLabel("Password").fill(PASSWORD);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(`${app.origin}/admin`);
        await page.getByText("No bookings have arrived yet").waitFor(WAIT);
        await checkAxe(page, "/admin (empty)", axeReport);
      });

      await t.step("a booking from a signed webhook appears without reload", async () => {
        await page.getByText("Live: new bookings appear").waitFor(WAIT);
        await markPage(page);
        await app.sendWebhook(bookingEvent("BOOKING_CREATED", {
          uid: "live-ada",
          title: "Garden design with Ada",
          attendees: [{ name: "Ada Lovelace", email: "ada@example.com", timeZone: "UTC" }],
        }));
        await page.getByRole("link", { name: "Garden design with Ada" }).waitFor(WAIT);
        const alan = {
          uid: "live-alan",
          title: "Kitchen refit with Alan",
          attendees: [{ name: "Alan Turing", email: "alan@example.com", timeZone: "UTC" }],
        };
        await app.sendWebhook(bookingEvent("BOOKING_CREATED", alan));
        await app.sendWebhook(bookingEvent("BOOKING_CANCELLED", alan));
        await page.getByRole("link", { name: "Kitchen refit with Alan" }).waitFor(WAIT);
        await page.locator("tr", { hasText: "Kitchen refit" }).getByText("Cancelled").waitFor(WAIT);
        assert.ok(await stillSamePage(page), "no reload happened");
        // A little variety for the screenshot: a request awaiting approval and a reschedule.
        await app.sendWebhook(bookingEvent("BOOKING_REQUESTED", {
          uid: "live-grace",
          title: "Bathroom quote with Grace",
          attendees: [{ name: "Grace Hopper", email: "grace@example.com", timeZone: "UTC" }],
        }));
        await app.sendWebhook(bookingEvent("BOOKING_RESCHEDULED", {
          uid: "live-ada-2",
          rescheduleUid: "live-ada-old",
          title: "Follow-up visit with Barbara",
          startTime: "2024-01-08T14:30:00Z",
          endTime: "2024-01-08T15:00:00Z",
          attendees: [{ name: "Barbara Liskov", email: "barbara@example.com", timeZone: "UTC" }],
        }));
        await page.getByRole("link", { name: "Follow-up visit with Barbara" }).first().waitFor(
          WAIT,
        );
        await page.screenshot({ path: `${ROOT}test-artifacts/admin.png`, fullPage: true });
        await checkAxe(page, "/admin", axeReport);
      });

      await t.step("search and filter without reload", async () => {
        await page.getByLabel("Search").fill("ada");
        await page.waitForURL(/\?q=ada$/, WAIT);
        await page.getByRole("link", { name: "Kitchen refit with Alan" }).waitFor({
          state: "detached",
          ...WAIT,
        });
        assert.equal(await rowCount(page), 1);
        await page.getByLabel("Search").fill("");
        await page.getByLabel("Status").selectOption("cancelled");
        await page.waitForURL(/\?status=cancelled$/, WAIT);
        await page.getByRole("link", { name: "Garden design with Ada" }).waitFor({
          state: "detached",
          ...WAIT,
        });
        assert.equal(await rowCount(page), 1);
        assert.ok(await stillSamePage(page), "filtering did not reload the page");
        await page.getByLabel("Status").selectOption("");
        await page.getByRole("link", { name: "Garden design with Ada" }).waitFor(WAIT);
      });

      await t.step("open the booking, resend its email, see the status change", async () => {
        await page.getByRole("link", { name: "Garden design with Ada" }).click();
        await page.waitForURL(/\/admin\/bookings\/live-ada$/);
        await page.getByRole("heading", { name: /Garden design with Ada/ }).waitFor(WAIT);
        const email = page.locator("article.delivery").first();
        await email.locator(".badge", { hasText: "queued" }).waitFor(WAIT);
        await checkAxe(page, "/admin/bookings/[uid]", axeReport);
        await email.getByRole("button", { name: "Resend" }).click();
        await page.waitForURL(/resend=queued/);
        await page.getByText("The email is queued for a new attempt").waitFor(WAIT);
        // The dev outbox sends at once; the page shows what the record says when it loads.
        for (let tries = 0; tries < 50; tries++) {
          const delivered = page.locator("article.delivery .badge", { hasText: "delivered" });
          if (await delivered.count() > 0) break;
          await page.reload();
          await page.locator("article.delivery").first().waitFor(WAIT);
        }
        await page.locator("article.delivery .badge", { hasText: "delivered" }).waitFor(WAIT);
        await page.getByText("1 (resend)").waitFor(WAIT);
      });

      await t.step("every other admin page passes axe", async () => {
        await page.getByRole("link", { name: "Preview the email" }).first().click();
        await page.waitForURL(/\/admin\/outbox\//);
        await page.frameLocator("iframe.email-html").locator("body").waitFor(WAIT);
        await checkAxe(page, "/admin/outbox/[id]", axeReport);
        for (
          const [path, heading] of [
            ["/admin/deliveries", "Emails to staff"],
            ["/admin/webhooks", "Cal.com webhooks"],
            ["/admin/users", "Users"],
          ]
        ) {
          await page.goto(`${app.origin}${path}`);
          await page.getByRole("heading", { name: heading, exact: true }).waitFor(WAIT);
          await checkAxe(page, path, axeReport);
        }
        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${app.origin}/admin`);
        await page.getByRole("link", { name: "Garden design with Ada" }).waitFor(WAIT);
        await checkAxe(page, "/admin (phone width)", axeReport);
      });

      await t.step("sign out", async () => {
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL(/\/admin\/login/);
        await page.goto(`${app.origin}/admin`);
        await page.waitForURL(/\/admin\/login/);
      });

      console.log(
        "axe serious/critical violations per page:",
        JSON.stringify(Object.fromEntries(axeReport)),
      );
      assert.deepEqual(problems, [], "the console and network stayed clean");
    } finally {
      await browser?.close();
      await app.server.shutdown();
      app.kv.close();
    }
  },
});
