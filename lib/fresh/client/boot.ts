/**
 * Browser entry point of every page with islands, loaded as a static module file so the page
 * needs no inline script under its CSP. It finds the state that the server rendered for this
 * page, imports the island chunks it names, revives signals and mounts the islands.
 */
import { deserializeProps, payloadHasSignals, type SignalFactory } from "./deserializer.ts";
import { type IslandComponents, revive } from "./revive.ts";

/** The state element's JSON: island id -> [chunk file, export name], plus the props payload. */
interface PageState {
  i: Record<string, [string, string]>;
  p: unknown;
}

/** Chunks are siblings of this file; anything else in the state is refused. */
const CHUNK_FILE = /^[\w.-]+\.js$/;

function readPageState(): PageState | null {
  // Our tags are the last ones in <body>, after any page content; the state id is a
  // per-render UUID, so injected markup can neither predict nor shadow it.
  const scripts = document.querySelectorAll<HTMLScriptElement>("script[data-fresh-state]");
  const stateId = scripts[scripts.length - 1]?.dataset.freshState;
  const element = stateId ? document.getElementById(stateId) : null;
  return element?.textContent ? JSON.parse(element.textContent) as PageState : null;
}

async function loadIslands(table: PageState["i"]): Promise<IslandComponents> {
  const islands: IslandComponents = {};
  await Promise.all(
    Object.entries(table).map(async ([id, [file, exportName]]) => {
      if (!CHUNK_FILE.test(file)) throw new Error(`Refusing island chunk ${file}`);
      const module = await import(new URL(file, import.meta.url).href);
      islands[id] = module[exportName];
    }),
  );
  return islands;
}

async function boot(): Promise<void> {
  const state = readPageState();
  if (state === null) return;
  let signal: SignalFactory | undefined;
  if (payloadHasSignals(state.p)) signal = (await import("./signals.ts")).signal;
  const islands = await loadIslands(state.i);
  revive(islands, deserializeProps(state.p, signal));
}

boot().catch((error) => console.error("Islands failed to start:", error));
