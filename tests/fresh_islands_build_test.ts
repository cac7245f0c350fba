import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import manifest from "./fixtures/fresh_islands_app/fresh.gen.ts";
import { build } from "../lib/fresh/build.ts";
import { stopBundler } from "../lib/fresh/islands/bundle.ts";
import { createIslandRuntime, MissingBuildError } from "../lib/fresh/islands/mod.ts";
import { islandPipelineHooks } from "../lib/fresh/islands/mod.ts";

const root = fileURLToPath(new URL("./fixtures/fresh_islands_app", import.meta.url));

Deno.test("[islands] build: hashed bundles, a snapshot, and immutable serving", async (t) => {
  let output: Awaited<ReturnType<typeof build>>;
  try {
    output = await build({ root, manifest, buildId: "testbuild" });
  } finally {
    await stopBundler();
  }
  const { snapshot } = output;

  await t.step("writes content-hashed files and snapshot.json", async () => {
    const onDisk = JSON.parse(await Deno.readTextFile(`${root}/_fresh/snapshot.json`));
    assert.deepStrictEqual(onDisk, snapshot);
    assert.equal(snapshot.build_id, "testbuild");
    assert.deepStrictEqual(Object.keys(snapshot.files).sort(), [
      "boot",
      "island-Counter",
      "island-GreetingCard",
      "signals",
    ]);
    for (const file of snapshot.assets) {
      assert.match(file, /^(boot|signals|island-\w+|chunk)-[A-Z0-9]{8}\.js$/);
      await Deno.stat(`${root}/_fresh/static/${file}`);
    }
    assert.deepStrictEqual(snapshot.islands, {
      Counter: "./islands/Counter.tsx",
      GreetingCard: "./islands/greeting-card.tsx",
    });
  });

  await t.step("islands share one Preact and one signals instance", () => {
    const [, ...counterDeps] = snapshot.files["island-Counter"];
    const [, ...bootDeps] = snapshot.files.boot;
    const shared = bootDeps.filter((file) => counterDeps.includes(file));
    assert.ok(shared.length > 0, "boot and islands share the preact chunk");
    const signalsChunks = snapshot.files.signals.slice(1);
    const greetingDeps = snapshot.files["island-GreetingCard"];
    assert.ok(signalsChunks.every((file) => greetingDeps.includes(file)));
  });

  await t.step("a page with 2 islands and signals stays far below 20 KB gzipped", () => {
    const page = new Set([
      ...snapshot.files.boot,
      ...snapshot.files.signals,
      ...snapshot.files["island-Counter"],
      ...snapshot.files["island-GreetingCard"],
    ]);
    const gzipped = [...page].reduce(
      (sum, file) => sum + gzipSync(output.contents.get(file)!).length,
      0,
    );
    console.log(`page JS: ${page.size} files, ${gzipped} bytes gzipped`);
    assert.ok(gzipped < 20_000, `${gzipped} bytes`);
  });

  await t.step("serves /_frsh/js/<BUILD_ID>/<file> immutable, 404 otherwise", async () => {
    const hooks = await islandPipelineHooks({ ...manifest, routes: {} });
    assert.equal(hooks.buildId, "testbuild");
    const get = (path: string, method = "GET") => {
      const url = new URL(path, "http://localhost");
      return hooks.handleInternal!(new Request(url, { method }), url);
    };
    const boot = snapshot.files.boot[0];
    const response = await get(`/_frsh/js/testbuild/${boot}`);
    assert.ok(response);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.deepStrictEqual(new Uint8Array(await response.arrayBuffer()), output.contents.get(boot));
    const head = await get(`/_frsh/js/testbuild/${boot}`, "HEAD");
    assert.equal(head?.status, 200);
    assert.equal(await head?.text(), "");
    assert.equal(await get(`/_frsh/js/oldbuild/${boot}`), undefined);
    assert.equal(await get("/_frsh/js/testbuild/nope.js"), undefined);
    assert.equal(await get("/_frsh/js/testbuild/../snapshot.json"), undefined);
    assert.equal(await get("/_frsh/other"), undefined);
    assert.equal((await get(`/_frsh/js/testbuild/${boot}`, "POST"))?.status, 405);
  });

  await t.step("rendered pages link the built files", async () => {
    const runtime = await createIslandRuntime(manifest, { mode: "snapshot" });
    assert.equal(runtime.assets.source, "snapshot");
    const { default: Counter } = await import("./fixtures/fresh_islands_app/islands/Counter.tsx");
    const { signal } = await import("@preact/signals");
    const { h } = await import("preact");
    const html = runtime.renderPage(h(Counter, { count: signal(1) }));
    assert.ok(html.includes(`src="/_frsh/js/testbuild/${snapshot.files.boot[0]}"`));
    assert.ok(html.includes(`"counter_default":["${snapshot.files["island-Counter"][0]}"`));
  });
});

Deno.test("[islands] start-up without a snapshot: a clear error where one is required", async () => {
  const empty = await Deno.makeTempDir();
  try {
    await assert.rejects(
      createIslandRuntime(manifest, { outDir: empty, mode: "snapshot" }),
      (error) =>
        error instanceof MissingBuildError && /snapshot\.json was not found.*deno task build/
          .test(error.message),
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("[islands] start-up without islands builds nothing and ships nothing", async () => {
  const runtime = await createIslandRuntime({ islands: {}, baseUrl: "file:///nowhere/x.ts" });
  assert.equal(runtime.assets.contents.size, 0);
  assert.match(runtime.buildId, /^[0-9a-f]{20}$/);
});

Deno.test("[islands] dev start-up: the snapshot holds until one of its own sources changes", async () => {
  const outDir = await Deno.makeTempDir();
  const unrelated = `${root}/lib/unrelated_${crypto.randomUUID()}.ts`;
  try {
    let sources: string[] = [];
    try {
      sources = (await build({ root, manifest, buildId: "sourcesbuild", outDir })).snapshot
        .sources ?? [];
    } finally {
      await stopBundler();
    }
    assert.ok(sources.includes("islands/Counter.tsx"), `${sources}`);
    assert.ok(sources.includes("components/CountLabel.tsx"), `${sources}`);
    assert.ok(sources.every((path) => !path.includes("node_modules")));

    // A server-only file under lib/, edited after the build, does not make it stale.
    await Deno.mkdir(`${root}/lib`, { recursive: true });
    await Deno.writeTextFile(unrelated, "export const unrelated = 1;\n");
    const later = new Date(Date.now() + 60_000);
    await Deno.utime(unrelated, later, later);
    const current = await createIslandRuntime(manifest, { outDir, mode: "auto" });
    assert.equal(current.assets.source, "snapshot");

    // A source newer than the snapshot does (here: the snapshot is made older instead).
    await Deno.utime(`${outDir}/snapshot.json`, new Date(0), new Date(0));
    const rebuilt = await createIslandRuntime(manifest, { outDir, mode: "auto" });
    assert.equal(rebuilt.assets.source, "memory");
  } finally {
    await Deno.remove(`${root}/lib`, { recursive: true }).catch(() => {});
    await Deno.remove(outDir, { recursive: true });
  }
});
