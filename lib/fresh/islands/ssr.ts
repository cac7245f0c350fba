/**
 * Server-side island detection and markers.
 *
 * Preact's documented `options.vnode` hook swaps the type of every island vnode for an
 * `IslandBoundary` class at creation time. The boundary learns from context whether a render is
 * being recorded and whether it already sits inside an island. Context (instead of module
 * variables and a diff-depth counter) keeps concurrent async renders apart and needs no Preact
 * internals. A top-level island renders as
 *   `<!--frsh-${id}:${n}:${key}-->` island HTML `<!--/frsh-${id}:${n}:${key}-->`
 * with its props pushed to `state.props[n]`. JSX children become a slot: server HTML between
 * `frsh-slot-…` markers that the client turns back into vnodes (islands inside a slot are
 * islands again, since the slot's content belongs to the page, not to the island).
 */
import { Component, createContext, Fragment, h, options } from "preact";
import type { ComponentChild, ComponentChildren, FunctionComponent, VNode } from "preact";
import type { IslandProps, IslandRecord } from "./registry.ts";

/** What one page render collects for the document and the boot script. */
export interface IslandRenderState {
  /** Props of each top-level island instance; the index is the instance number in markers. */
  props: IslandProps[];
  /** Islands that occur on the page, by id. */
  used: Map<string, IslandRecord>;
}

interface IslandScope {
  state: IslandRenderState | null;
  insideIsland: boolean;
}

const IslandScopeContext = createContext<IslandScope>({ state: null, insideIsland: false });

const boundaries = new Map<FunctionComponent<IslandProps>, typeof Component<IslandProps>>();
const vnodeKeys = new WeakMap<object, string>();
/** Set while a boundary creates the vnode of the real island, which must not be swapped. */
let creatingIsland = false;

function comment(text: string): VNode {
  // preact-render-to-string prints this Fragment prop as `<!--text-->`.
  return h(Fragment, { UNSTABLE_comment: text } as Record<string, unknown>);
}

/** Keys may carry user data; the encoded form cannot end the comment or contain `:`. */
function markerKey(props: object): string {
  const key = vnodeKeys.get(props);
  return key === undefined ? "" : encodeURIComponent(key);
}

function islandVNode(island: IslandRecord, props: IslandProps): VNode {
  creatingIsland = true;
  try {
    return h(island.component, props);
  } finally {
    creatingIsland = false;
  }
}

interface SlotProps {
  marker: string;
  scope: IslandScope;
  seen: { rendered: boolean };
  children?: ComponentChildren;
}

/** Server HTML of an island's children, rendered as page content between slot markers. */
function IslandSlot({ marker, scope, seen, children }: SlotProps): VNode {
  seen.rendered = true;
  return h(Fragment, null, [
    comment(`frsh-slot-${marker}:children`),
    h(IslandScopeContext.Provider, { value: scope }, children),
    comment(`/frsh-slot-${marker}:children`),
  ]);
}

/** Children the island did not render still ship, in a template the client reads them from. */
function UnusedSlotTemplate(
  { id, scope, seen, children }: SlotProps & { id: string },
): ComponentChild {
  if (seen.rendered) return null;
  return h("template", { id }, h(IslandScopeContext.Provider, { value: scope }, children));
}

function createBoundary(island: IslandRecord): typeof Component<IslandProps> {
  return class IslandBoundary extends Component<IslandProps> {
    static override contextType = IslandScopeContext;
    static override displayName = `Island(${island.id})`;

    override render(props: IslandProps): VNode {
      const scope = this.context as IslandScope;
      if (scope.state === null || scope.insideIsland) return islandVNode(island, props);
      const { state } = scope;
      const n = state.props.length;
      const { children, ...serializable } = props as IslandProps & {
        children?: ComponentChildren;
      };
      state.props.push(serializable);
      state.used.set(island.id, island);
      const marker = `${island.id}:${n}`;
      const tag = `${marker}:${markerKey(props)}`;
      const pageScope: IslandScope = { state, insideIsland: false };
      const seen = { rendered: false };
      const slotProps = { marker, scope: pageScope, seen, children };
      const innerProps = children === undefined
        ? props
        : { ...props, children: h(IslandSlot, slotProps) };
      return h(Fragment, null, [
        comment(`frsh-${tag}`),
        h(
          IslandScopeContext.Provider,
          { value: { state, insideIsland: true } },
          islandVNode(island, innerProps),
        ),
        comment(`/frsh-${tag}`),
        children === undefined
          ? null
          : h(UnusedSlotTemplate, { ...slotProps, id: `frsh-slot-${island.id}-${n}-children` }),
      ]);
    }
  };
}

let hookInstalled = false;

function installVNodeHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  const previous = options.vnode;
  options.vnode = (vnode: VNode) => {
    if (!creatingIsland && typeof vnode.type === "function") {
      const boundary = boundaries.get(vnode.type as FunctionComponent<IslandProps>);
      if (boundary !== undefined) {
        if (vnode.key != null) vnodeKeys.set(vnode.props, String(vnode.key));
        (vnode as { type: unknown }).type = boundary;
      }
    }
    previous?.(vnode);
  };
}

/** Makes the given islands recognisable during SSR. Safe to call again with more islands. */
export function registerIslands(islands: IslandRecord[]): void {
  installVNodeHook();
  for (const island of islands) {
    if (!boundaries.has(island.component)) {
      boundaries.set(island.component, createBoundary(island));
    }
  }
}

/** Wraps a page tree so the islands rendered inside it are recorded into `state`. */
export function withIslandRecording(
  tree: ComponentChildren,
  state: IslandRenderState,
): ComponentChild {
  return h(IslandScopeContext.Provider, { value: { state, insideIsland: false } }, tree);
}

export function createIslandRenderState(): IslandRenderState {
  return { props: [], used: new Map() };
}
