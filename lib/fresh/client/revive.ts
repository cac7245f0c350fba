/**
 * Mounts islands in the browser between the comment markers written during SSR.
 *
 * Like Fresh 1.x, islands are mounted with `render()` (not `hydrate()`) into a stand-in parent
 * whose children are confined to the marker range: Preact reuses the server DOM it finds there
 * and, on later updates, inserts before the end anchor, so nodes outside the island are never
 * touched. Children passed to an island are rebuilt from the server HTML of their slot.
 */
import { h, render } from "preact";
import type { ComponentChildren, ComponentType, VNode } from "preact";

export type IslandComponents = Record<string, ComponentType<Record<string, unknown>>>;

/** `frsh-<id>:<n>:<key>`; ids are `[a-z0-9_]`, so slot markers (`frsh-slot-…`) never match. */
const ISLAND_START = /^frsh-([a-z0-9_]+):(\d+):/;

interface Revival {
  islands: IslandComponents;
  props: unknown[];
}

function isComment(node: Node): node is Comment {
  return node.nodeType === Node.COMMENT_NODE;
}

/** Sibling comment that closes the range opened by `start`, or null when markup is broken. */
function closingMarker(start: Comment): Comment | null {
  const wanted = `/${start.data}`;
  for (let node = start.nextSibling; node !== null; node = node.nextSibling) {
    if (isComment(node) && node.data === wanted) return node;
  }
  return null;
}

function nodesBetween(start: Node, end: Node): Node[] {
  const nodes: Node[] = [];
  for (let node = start.nextSibling; node !== null && node !== end; node = node.nextSibling) {
    nodes.push(node);
  }
  return nodes;
}

function findComment(nodes: Iterable<Node>, data: string): Comment | null {
  for (const node of nodes) {
    if (isComment(node) && node.data === data) return node;
    const found = node.hasChildNodes() ? findComment(node.childNodes, data) : null;
    if (found) return found;
  }
  return null;
}

function attributesOf(element: Element): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  const live = element as unknown as Record<string, unknown>;
  for (const { name, value } of Array.from(element.attributes)) {
    // `disabled=""` must become `true`: Preact would set the property to "" (false).
    props[name] = typeof live[name] === "boolean" ? true : value;
  }
  return props;
}

/** Server HTML of a slot back to vnodes; islands met inside it become island vnodes. */
function nodesToVNodes(nodes: Node[], revival: Revival): ComponentChildren[] {
  const children: ComponentChildren[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (node.nodeType === Node.TEXT_NODE) {
      children.push((node as Text).data);
    } else if (isComment(node) && ISLAND_START.test(node.data)) {
      const end = closingMarker(node);
      if (end === null) continue;
      children.push(islandVNode(node, nodesBetween(node, end), revival));
      i = nodes.indexOf(end);
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const element = node as Element;
      const inner = element instanceof HTMLTemplateElement ? element.content : element;
      const kids = nodesToVNodes(Array.from(inner.childNodes), revival);
      children.push(h(element.localName, attributesOf(element), ...kids));
    }
  }
  return children;
}

function slotChildren(id: string, n: string, inner: Node[], revival: Revival) {
  const open = findComment(inner, `frsh-slot-${id}:${n}:children`);
  if (open !== null) {
    const close = closingMarker(open);
    return close === null ? undefined : nodesToVNodes(nodesBetween(open, close), revival);
  }
  // Children the island did not render on the server wait in a template.
  const template = document.getElementById(`frsh-slot-${id}-${n}-children`);
  if (template instanceof HTMLTemplateElement) {
    return nodesToVNodes(Array.from(template.content.childNodes), revival);
  }
  return undefined;
}

function islandVNode(start: Comment, inner: Node[], revival: Revival): VNode | null {
  const [, id, n] = ISLAND_START.exec(start.data) ?? [];
  const component = revival.islands[id];
  if (component === undefined) return null;
  const props = { ...(revival.props[Number(n)] as Record<string, unknown>) };
  const children = slotChildren(id, n, inner, revival);
  if (children !== undefined) props.children = children;
  return h(component, props);
}

/** A parent for `render()` that only sees, and only inserts into, the nodes between anchors. */
function markerRangeRoot(parent: Node, start: Node, end: Node): Element {
  const root = {
    nodeType: Node.ELEMENT_NODE,
    parentNode: parent,
    namespaceURI: (parent as Element).namespaceURI,
    ownerDocument: parent.ownerDocument,
    get firstChild() {
      return start.nextSibling === end ? null : start.nextSibling;
    },
    get childNodes() {
      return nodesBetween(start, end);
    },
    insertBefore: (node: Node, before: Node | null) => parent.insertBefore(node, before ?? end),
    appendChild: (node: Node) => parent.insertBefore(node, end),
    removeChild: (node: Node) => parent.removeChild(node),
    contains: (node: Node) => nodesBetween(start, end).some((child) => child.contains(node)),
  };
  // Preact only uses the members above; the cast is the price of not touching real parents.
  return root as unknown as Element;
}

function mount(start: Comment, end: Comment, revival: Revival): void {
  const vnode = islandVNode(start, nodesBetween(start, end), revival);
  if (vnode === null) return;
  const parent = start.parentNode as Node;
  // Empty text anchors replace the markers so no framework comments stay in the page.
  const startAnchor = document.createTextNode("");
  const endAnchor = document.createTextNode("");
  parent.replaceChild(startAnchor, start);
  parent.replaceChild(endAnchor, end);
  render(vnode, markerRangeRoot(parent, startAnchor, endAnchor));
}

/** Top-level island ranges in document order; their insides belong to the island. */
function findIslandRanges(parent: Node, found: [Comment, Comment][]): [Comment, Comment][] {
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (isComment(node) && ISLAND_START.test(node.data)) {
      const end = closingMarker(node);
      if (end === null) continue;
      found.push([node, end]);
      node = end;
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      findIslandRanges(node, found);
    }
  }
  return found;
}

/** Mounts every island on the page with its deserialised props. */
export function revive(islands: IslandComponents, props: unknown[]): void {
  const revival = { islands, props };
  for (const [start, end] of findIslandRanges(document.body, [])) mount(start, end, revival);
}
