/**
 * The built boot code in a real browser (Debian's Chromium via playwright-core), under a CSP
 * that forbids inline scripts: islands mount between their markers, signals stay shared, the
 * console stays clean. Skipped where no Chromium is installed.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { signal } from "@preact/signals";
import manifest from "./fixtures/fresh_islands_app/fresh.gen.ts";
import Counter from "./fixtures/fresh_islands_app/islands/Counter.tsx";
import GreetingCard, { Shout } from "./fixtures/fresh_islands_app/islands/greeting-card.tsx";
import { build } from "../lib/fresh/build.ts";
import { stopBundler } from "../lib/fresh/islands/bundle.ts";
import { createIslandRuntime, type IslandRuntime } from "../lib/fresh/islands/mod.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = await Deno.stat(CHROMIUM).then(() => true, () => false);
const root = fileURLToPath(new URL("./fixtures/fresh_islands_app", import.meta.url));
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; " +
  "base-uri 'none'; frame-ancestors 'none'";

function IslandsPage() {
  const shared = signal(1);
  return (
    <main>
      <Counter count={shared}>
        <b>
          slot <Shout text="hi" />
        </b>
      </Counter>
      <GreetingCard name="Ada" />
      <Counter count={shared} step={2} />
    </main>
  );
}

function serve(runtime: IslandRuntime): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith("/_frsh/js/")) {
      return runtime.serveAsset(request) ?? new Response("Not Found", { status: 404 });
    }
    // Browsers ask for a favicon on their own; an empty answer keeps the console clean.
    if (pathname === "/favicon.ico") return new Response(null, { status: 204 });
    if (pathname !== "/") return new Response("Not Found", { status: 404 });
    return new Response(runtime.renderPage(<IslandsPage />), {
      headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP },
    });
  });
}

Deno.test({
  name: "[islands] browser: islands boot from a static file under a strict CSP",
  ignore: !hasChromium,
  async fn() {
    const outDir = await Deno.makeTempDir();
    try {
      await build({ root, manifest, outDir, buildId: "browser" });
    } finally {
      await stopBundler();
    }
    const runtime = await createIslandRuntime(manifest, { outDir, mode: "snapshot" });
    const server = serve(runtime);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") {
          problems.push(message.text());
        }
      });
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
      });
      await page.goto(`http://127.0.0.1:${server.addr.port}/`);

      // Server HTML has disabled buttons (IS_BROWSER false); mounted islands enable them.
      await page.waitForSelector(".counter button:not([disabled])");
      await page.click("text=+1 >> nth=0");
      await page.waitForFunction(() =>
        [...document.querySelectorAll("main > .counter .count")].every((e) => e.textContent === "2")
      );
      await page.click("text=more");
      await page.waitForSelector("text=More for Ada");

      assert.equal(await page.textContent("main > .counter b"), "slot HI");
      const html = await page.innerHTML("body");
      assert.doesNotMatch(html, /frsh-/, "markers are gone after mounting");
      assert.deepStrictEqual(problems, []);
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
