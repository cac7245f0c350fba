import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import manifest from "@/fresh.gen.ts";
import { bundleIslands, stopBundler } from "@/lib/fresh/islands/bundle.ts";
import { collectIslands } from "@/lib/fresh/islands/registry.ts";

/** DESIGN: /admin ships at most 20 KB of gzipped JavaScript (aim: 15). */
const BUDGET_BYTES = 20 * 1024;

Deno.test("[admin] /admin ships at most 20 KB of gzipped JavaScript", async () => {
  const islands = Object.fromEntries(
    collectIslands(manifest).map((i) => [i.name, { url: i.url, specifier: i.specifier }]),
  );
  const root = fileURLToPath(new URL("../", import.meta.url));
  try {
    const { snapshot, contents } = await bundleIslands({ root, islands, buildId: "size" });
    // What the page loads: the boot script and the list island, with their static imports.
    const files = new Set([
      ...snapshot.files["boot"],
      ...snapshot.files["island-BookingBrowser"],
    ]);
    const gzipped = [...files].reduce((sum, f) => sum + gzipSync(contents.get(f)!).length, 0);
    console.log(`/admin JavaScript: ${gzipped} bytes gzipped in ${files.size} files`);
    assert.ok(gzipped <= BUDGET_BYTES, `${gzipped} > ${BUDGET_BYTES}`);
  } finally {
    await stopBundler();
  }
});
