/**
 * Page rendering: composes `[_app, ...layouts, page]`, awaits async components (any of which
 * may answer with a `Response` instead), and turns the tree into an HTML response. The last
 * step, tree → document string, is `renderDocument`: the seam the islands runtime replaces.
 */
import { type ComponentChildren, type ComponentType, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { LayoutRoute, PageComponent, RouteTable } from "./routes.ts";
import type {
  DocumentInfo,
  DocumentRenderer,
  FreshContext,
  PageProps,
  RenderOptions,
} from "./types.ts";

/** What the renderer needs to know about the page being rendered. */
export interface RenderTarget {
  component?: PageComponent;
  baseRoute: string;
  csp: boolean;
  appWrapper: boolean;
  inheritLayouts: boolean;
}

type Layer = ComponentType<Record<never, never>>;
type AsyncComponent = (req: Request, ctx: FreshContext) => Promise<ComponentChildren | Response>;

const HTML_TYPE = "text/html; charset=utf-8";

/**
 * The default document step: the tree as HTML, wrapped in a minimal document unless `_app`
 * already rendered `<html>`.
 */
export function renderDocument(vnode: VNode, _info: DocumentInfo): string {
  const body = renderToString(vnode);
  if (/^\s*<html[\s>]/i.test(body)) return "<!DOCTYPE html>" + body;
  return '<!DOCTYPE html><html><head><meta charset="utf-8"/>' +
    '<meta name="viewport" content="width=device-width, initial-scale=1.0"/></head>' +
    `<body>${body}</body></html>`;
}

/** Renders pages of one route table; the layout stack of each page is computed once. */
export class PageRenderer {
  #stacks = new WeakMap<RenderTarget, PageComponent[]>();

  constructor(private table: RouteTable, private toDocument: DocumentRenderer) {}

  /** Renders `target` for `ctx` (whose `data` is already set) with `status` unless overridden. */
  async render(
    req: Request,
    ctx: FreshContext,
    target: RenderTarget,
    status: number,
    options?: RenderOptions,
  ): Promise<Response> {
    const stack = this.#stackFor(target);
    const results: (ComponentChildren | undefined)[] = [];
    const props = pageProps(ctx);
    const layer = (index: number): Layer => () => {
      const component = stack[index];
      if (component === undefined) return null;
      if (isAsync(component)) return results[index] as VNode;
      return h(component, { ...props, Component: layer(index + 1) });
    };
    for (let index = 0; index < stack.length; index++) {
      const component = stack[index];
      if (!isAsync(component)) continue;
      const result = await component(req, { ...ctx, Component: layer(index + 1) });
      if (result instanceof Response) return result;
      results[index] = result;
    }
    const info: DocumentInfo = {
      request: req,
      route: ctx.route,
      csp: target.csp,
      config: ctx.config,
    };
    const html = await this.toDocument(h(layer(0), null), info);
    const headers = new Headers({ "Content-Type": HTML_TYPE });
    new Headers(options?.headers).forEach((value, name) => headers.set(name, value));
    return new Response(html, {
      status: options?.status ?? status,
      statusText: options?.statusText,
      headers,
    });
  }

  #stackFor(target: RenderTarget): PageComponent[] {
    let stack = this.#stacks.get(target);
    if (stack) return stack;
    if (!target.component) throw new Error("ctx.render() called on a route without a page.");
    const layouts = target.inheritLayouts ? inheritedLayouts(this.table.layouts, target) : [];
    const wrapInApp = target.appWrapper && layouts.every((layout) => layout.appWrapper);
    stack = [
      ...(wrapInApp && this.table.app ? [this.table.app] : []),
      ...layouts.flatMap((layout) => layout.component ? [layout.component] : []),
      target.component,
    ];
    this.#stacks.set(target, stack);
    return stack;
  }
}

/** Layouts from the root down to the page's folder; a layout that skips inherited ones cuts. */
function inheritedLayouts(all: LayoutRoute[], target: RenderTarget): LayoutRoute[] {
  const shared = all.filter((layout) =>
    layout.baseRoute === "/" || layout.baseRoute === target.baseRoute ||
    target.baseRoute.startsWith(layout.baseRoute + "/")
  );
  const cut = shared.findLastIndex((layout) => !layout.inheritLayouts);
  return cut === -1 ? shared : shared.slice(cut);
}

/** Fresh detects async routes by the function's constructor name. */
function isAsync(component: PageComponent): component is PageComponent & AsyncComponent {
  return component.constructor.name === "AsyncFunction";
}

function pageProps(ctx: FreshContext): PageProps {
  const { render: _render, next: _next, renderNotFound: _renderNotFound, ...props } = ctx;
  return props;
}
