import assert from "node:assert/strict";
import fc from "fast-check";
import { type Signal, signal } from "@preact/signals";
import { renderToString } from "preact-render-to-string";
import type { ComponentChildren } from "preact";
import manifest from "./fixtures/fresh_islands_app/fresh.gen.ts";
import Counter from "./fixtures/fresh_islands_app/islands/Counter.tsx";
import GreetingCard, { Shout } from "./fixtures/fresh_islands_app/islands/greeting-card.tsx";
import { collectIslands, islandName } from "../lib/fresh/islands/registry.ts";
import { registerIslands } from "../lib/fresh/islands/ssr.ts";
import { renderIslandPage } from "../lib/fresh/islands/document.ts";
import type { FreshSnapshot } from "../lib/fresh/islands/bundle.ts";
import { deserializeProps } from "../lib/fresh/client/deserializer.ts";
import { asset } from "../lib/fresh/runtime.ts";
import { setBuildId } from "../lib/fresh/islands/build_id.ts";

registerIslands(collectIslands(manifest));

/** A build as `deno task build` would describe it, without running esbuild. */
const snapshot: FreshSnapshot = {
  build_id: "b1d",
  files: {
    boot: ["boot-AAAAAAAA.js", "chunk-PREACT00.js"],
    signals: ["signals-SSSSSSSS.js", "chunk-SIGNALS0.js", "chunk-PREACT00.js"],
    "island-Counter": ["island-Counter-CCCCCCCC.js", "chunk-PREACT00.js"],
    "island-GreetingCard": ["island-GreetingCard-GGGGGGGG.js", "chunk-PREACT00.js"],
  },
  islands: { Counter: "./islands/Counter.tsx", GreetingCard: "./islands/greeting-card.tsx" },
  assets: [],
};

function App({ children }: { children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <title>t</title>
      </head>
      <body>{children}</body>
    </html>
  );
}

const render = (page: ComponentChildren) => renderIslandPage(<App>{page}</App>, snapshot);

/** Reads the page state the way boot.ts does: the script named by the boot tag's data-state. */
function pageState(html: string): { i: Record<string, [string, string]>; p: unknown } {
  const stateId = /<script type="module" [^>]*data-fresh-state="([^"]+)"/.exec(html)?.[1];
  assert.ok(stateId, "boot script names its state element");
  const text = new RegExp(`<script id="${stateId}" type="application/json">(.*?)</script>`, "s")
    .exec(html)?.[1];
  assert.ok(text !== undefined, "state element present");
  return JSON.parse(text);
}

Deno.test("[islands] registry: names, ids and every exported function", () => {
  const ids = collectIslands(manifest).map((island) => island.id);
  assert.deepStrictEqual(ids, ["counter_default", "greetingcard_default", "greetingcard_shout"]);
  assert.equal(islandName("./islands/admin/booking-list.tsx"), "AdminBookingList");
  assert.equal(islandName("./routes/admin/(_islands)/Filter.tsx"), "Filter");
});

Deno.test("[islands] SSR: an island is wrapped in markers and its props collected", () => {
  const html = render(<Counter count={signal(2)} step={5} />);
  assert.match(
    html,
    /<!--frsh-counter_default:0:--><div class="counter"><output class="count">2<\/output>.*<!--\/frsh-counter_default:0:-->/,
  );
  const state = pageState(html);
  assert.deepStrictEqual(state.i, { counter_default: ["island-Counter-CCCCCCCC.js", "default"] });
  const [props] = deserializeProps(state.p, signal) as [{ count: Signal<number>; step: number }];
  assert.equal(props.count.value, 2);
  assert.equal(props.step, 5);
});

Deno.test("[islands] SSR: an island inside an island is not wrapped again", () => {
  const html = render(<GreetingCard name="Ada" />);
  assert.equal(html.match(/<!--frsh-/g)?.length, 1);
  assert.match(
    html,
    /<!--frsh-greetingcard_default:0:-->.*class="counter".*<!--\/frsh-greetingcard/,
  );
  const state = pageState(html);
  assert.deepStrictEqual(Object.keys(state.i), ["greetingcard_default"]);
  assert.deepStrictEqual(deserializeProps(state.p), [{ name: "Ada" }]);
});

Deno.test("[islands] SSR: instances are numbered in order, keys are encoded", () => {
  const html = render(
    <main>
      <Shout text="a" />
      <Counter count={signal(1)} key="row-->1" />
      <Shout text="b" key="k:2" />
    </main>,
  );
  const markers = [...html.matchAll(/<!--(frsh-[^>]*?)-->/g)].map((m) => m[1]);
  assert.deepStrictEqual(markers, [
    "frsh-greetingcard_shout:0:",
    "frsh-counter_default:1:row--%3E1",
    "frsh-greetingcard_shout:2:k%3A2",
  ]);
  const props = deserializeProps(pageState(html).p, signal) as Record<string, unknown>[];
  assert.deepStrictEqual([props[0], props[2]], [{ text: "a" }, { text: "b" }]);
});

Deno.test("[islands] SSR: children become a slot; islands in the slot are islands", () => {
  const html = render(
    <Counter count={signal(0)}>
      <p>
        server <Shout text="inner" />
      </p>
    </Counter>,
  );
  assert.match(
    html,
    /<!--frsh-slot-counter_default:0:children--><p>server <!--frsh-greetingcard_shout:1:--><strong class="shout">INNER<\/strong><!--\/frsh-greetingcard_shout:1:--><\/p><!--\/frsh-slot-counter_default:0:children-->/,
  );
  const props = deserializeProps(pageState(html).p, signal) as Record<string, unknown>[];
  assert.equal(props.length, 2);
  assert.equal("children" in props[0], false, "children are never serialised");
});

Deno.test("[islands] SSR: children an island does not render ship in a template", () => {
  const html = render(
    <Shout text="x">
      <em>hidden</em>
    </Shout>,
  );
  assert.match(
    html,
    /<!--\/frsh-greetingcard_shout:0:--><template id="frsh-slot-greetingcard_shout-0-children"><em>hidden<\/em><\/template>/,
  );
});

Deno.test("[islands] document: a page without islands ships no JavaScript", () => {
  const html = render(<p>static</p>);
  assert.equal(
    html,
    '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p>static</p></body></html>',
  );
  const bare = renderIslandPage(<p>bare</p>, snapshot);
  assert.match(bare, /^<!DOCTYPE html><html><head><meta charset="utf-8"\/>/);
  assert.doesNotMatch(bare, /<script|modulepreload/);
});

Deno.test("[islands] document: no inline script, boot from a file, chunks preloaded", () => {
  const html = render(<Counter count={signal(1)} />);
  const scripts = [...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
  assert.equal(scripts.length, 2);
  for (const [, attributes, body] of scripts) {
    const isData = attributes.includes('type="application/json"');
    const isExternal = /src="\/_frsh\/js\/b1d\/boot-AAAAAAAA\.js"/.test(attributes);
    assert.ok(isData || (isExternal && body === ""), `inline script: ${attributes}`);
  }
  const head = html.slice(0, html.indexOf("</head>"));
  const preloads = [...head.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) =>
    m[1]
  );
  assert.deepStrictEqual(preloads.sort(), [
    "/_frsh/js/b1d/boot-AAAAAAAA.js",
    "/_frsh/js/b1d/chunk-PREACT00.js",
    "/_frsh/js/b1d/chunk-SIGNALS0.js",
    "/_frsh/js/b1d/island-Counter-CCCCCCCC.js",
    "/_frsh/js/b1d/signals-SSSSSSSS.js",
  ]);
  assert.ok(html.endsWith("</script></body></html>"));
});

Deno.test("[islands] document: each render gets its own state id", () => {
  const first = /data-fresh-state="([^"]+)"/.exec(render(<Shout text="a" />))?.[1];
  const second = /data-fresh-state="([^"]+)"/.exec(render(<Shout text="a" />))?.[1];
  assert.match(first ?? "", /^__FRSH_STATE_[0-9a-f-]{36}$/);
  assert.notEqual(first, second);
});

Deno.test("[islands] SSR: islands rendered outside a page render have no markers", () => {
  assert.equal(renderToString(<Shout text="plain" />), '<strong class="shout">PLAIN</strong>');
});

Deno.test("[islands] hostile props survive serialize -> HTML -> extract -> deserialize", () => {
  const text = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.constantFrom("</script>", "</SCRIPT >", "<!--", "<script>", "]]>", "\u2028", "&lt;"),
  );
  fc.assert(
    fc.property(fc.array(text, { maxLength: 5 }).map((parts) => parts.join("")), (hostile) => {
      const html = render(<Shout text={hostile} />);
      assert.equal(html.match(/<\/script>/gi)?.length, 2, "no early </script>");
      assert.deepStrictEqual(deserializeProps(pageState(html).p), [{ text: hostile }]);
    }),
    { numRuns: 200 },
  );
});

Deno.test("[islands] runtime: asset() appends the build id to local paths only", () => {
  setBuildId("b1d");
  assert.equal(asset("/logo.svg"), "/logo.svg?__frsh_c=b1d");
  assert.equal(asset("/a.css?v=1#x"), "/a.css?v=1&__frsh_c=b1d#x");
  assert.equal(asset("https://cdn.example/x.js"), "https://cdn.example/x.js");
  assert.equal(asset("//cdn.example/x.js"), "//cdn.example/x.js");
});
