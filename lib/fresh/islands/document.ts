/**
 * Turns a rendered page into the final HTML document, adding what its islands need:
 * `<link rel="modulepreload">` for every chunk in `<head>`, and before `</body>` the props state
 * (`<script type="application/json">`, data only) plus ONE external module script, `boot`.
 * No inline script is ever emitted, so a strict `script-src 'self'` CSP holds. A page without
 * islands gets no script tag at all.
 */
import { renderToString } from "preact-render-to-string";
import type { ComponentChildren, VNode } from "preact";
import { escapeJsonForHtml, serializeProps } from "../serializer.ts";
import type { FreshSnapshot } from "./bundle.ts";
import { ASSET_PREFIX } from "./assets.ts";
import { islandEntryName } from "./registry.ts";
import { createIslandRenderState, type IslandRenderState, withIslandRecording } from "./ssr.ts";

/** Same shell as the default `renderDocument` in render.ts, byte for byte. */
const DEFAULT_HEAD = '<meta charset="utf-8"/>' +
  '<meta name="viewport" content="width=device-width, initial-scale=1.0"/>';

/** A page that did not render `<html>` itself (no `_app`) gets a minimal document around it. */
export function wrapDocument(html: string): string {
  if (/^\s*<html[\s>]/i.test(html)) return `<!DOCTYPE html>${html}`;
  return `<!DOCTYPE html><html><head>${DEFAULT_HEAD}</head><body>${html}</body></html>`;
}

function entryFiles(snapshot: FreshSnapshot, entry: string): string[] {
  const files = snapshot.files[entry];
  if (!files) throw new Error(`The build has no "${entry}" bundle; run \`deno task build\``);
  return files;
}

/** The tags for one page: preload links for the head, state and boot script for the body. */
export function islandTags(state: IslandRenderState, snapshot: FreshSnapshot) {
  const { json, hasSignals } = serializeProps(state.props);
  const table: Record<string, [string, string]> = {};
  const preload = new Set(entryFiles(snapshot, "boot"));
  if (hasSignals) entryFiles(snapshot, "signals").forEach((file) => preload.add(file));
  for (const island of state.used.values()) {
    const files = entryFiles(snapshot, islandEntryName(island.name));
    table[island.id] = [files[0], island.exportName];
    files.forEach((file) => preload.add(file));
  }
  const base = `${ASSET_PREFIX}${snapshot.build_id}/`;
  const stateId = `__FRSH_STATE_${crypto.randomUUID()}`;
  const stateJson = escapeJsonForHtml(`{"i":${JSON.stringify(table)},"p":${json}}`);
  const head = [...preload].map((file) => `<link rel="modulepreload" href="${base}${file}">`);
  const body = `<script id="${stateId}" type="application/json">${stateJson}</script>` +
    `<script type="module" src="${base}${entryFiles(snapshot, "boot")[0]}" ` +
    `data-fresh-state="${stateId}"></script>`;
  return { head: head.join(""), body };
}

/** Inserts `text` before the first (or last) `marker`; `fallback` when the marker is absent. */
function insertBefore(html: string, marker: RegExp, text: string, last: boolean): string | null {
  const matches = [...html.matchAll(marker)];
  const match = last ? matches.at(-1) : matches[0];
  if (match?.index === undefined) return null;
  return html.slice(0, match.index) + text + html.slice(match.index);
}

/** Adds the island tags to a full document string. */
export function injectIslandTags(documentHtml: string, tags: { head: string; body: string }) {
  const withHead = insertBefore(documentHtml, /<\/head>/gi, tags.head, false);
  // Without a </head>, preload links are still valid in the body.
  const body = withHead === null ? tags.head + tags.body : tags.body;
  const html = withHead ?? documentHtml;
  return insertBefore(html, /<\/body>/gi, body, true) ?? html + body;
}

/**
 * Renders the page tree (app wrapper, layouts, page) to the final HTML document string.
 *
 * @example renderIslandPage(h(App, pageProps), assets.snapshot) // "<!DOCTYPE html><html>…"
 */
export function renderIslandPage(tree: ComponentChildren, snapshot: FreshSnapshot): string {
  const state = createIslandRenderState();
  const html = wrapDocument(renderToString(withIslandRecording(tree, state) as VNode));
  if (state.props.length === 0) return html;
  return injectIslandTags(html, islandTags(state, snapshot));
}
