/**
 * File-system route paths (`blog/[slug]`, without `./routes/` and extension) to URL patterns,
 * base routes and Fresh's match order. Shared by the server and the manifest generator.
 */

/** Characters URLPattern treats as syntax; escaped when they appear in a file name. */
const PATTERN_SYNTAX = /[\\*+?:(){}]/g;
/** A pattern containing any of these needs URLPattern; anything else is a plain string compare. */
export const IS_PATTERN = /[\\*+?:(){}]/;

/**
 * `blog/[slug]` → `/blog/:slug`, `old/[...path]` → `/old/:path*`, `docs/[[v]]` → `/docs{/:v}?`,
 * `(group)/about` → `/about`, `index` → `/`.
 * @throws SyntaxError for adjacent params or an optional param that is not a whole segment.
 */
export function pathToPattern(path: string): string {
  const parts = path.split("/");
  if (parts.at(-1) === "index") parts.pop();
  let pattern = "";
  for (const part of parts) {
    if (part.startsWith("(") && part.endsWith(")")) continue;
    if (part.startsWith("[...") && part.endsWith("]")) {
      pattern += `/:${paramName(path, part.slice(4, -1))}*`;
    } else if (part.startsWith("[[") && part.endsWith("]]")) {
      pattern += `{/:${paramName(path, part.slice(2, -2))}}?`;
    } else {
      pattern += "/" + segmentPattern(path, part);
    }
  }
  return pattern === "" ? "/" : pattern;
}

/** One segment mixing literals and `[param]`s, e.g. `[id]-x[bar]` → `:id-x:bar`. */
function segmentPattern(path: string, part: string): string {
  if (part.includes("[[") || part.includes("]]")) {
    throw new SyntaxError(
      `Invalid route "${path}": an optional parameter must be a whole segment.`,
    );
  }
  if (part.includes("][")) {
    throw new SyntaxError(`Invalid route "${path}": two parameters need a character between them.`);
  }
  let out = "";
  let rest = part;
  while (rest.length > 0) {
    const open = rest.indexOf("[");
    if (open === -1) return out + escapeLiteral(path, rest);
    const close = rest.indexOf("]", open);
    if (close === -1) throw new SyntaxError(`Invalid route "${path}": unclosed "[".`);
    out += escapeLiteral(path, rest.slice(0, open)) + ":" +
      paramName(path, rest.slice(open + 1, close));
    rest = rest.slice(close + 1);
  }
  return out;
}

function escapeLiteral(path: string, text: string): string {
  if (text.includes("]")) throw new SyntaxError(`Invalid route "${path}": stray "]".`);
  return text.replace(PATTERN_SYNTAX, (char) => "\\" + char);
}

function paramName(path: string, name: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) {
    throw new SyntaxError(`Invalid route "${path}": "${name}" is not a valid parameter name.`);
  }
  return name;
}

/**
 * The folder a route, layout or middleware belongs to, groups kept: `(admin)/users/_layout` →
 * `/(admin)/users`, `blog/index` → `/blog`. Middlewares and layouts apply to routes whose base
 * route starts with theirs.
 */
export function toBaseRoute(path: string): string {
  const parts = path.split("/");
  const last = parts.at(-1);
  if (last === "_layout" || last === "_middleware" || last === "index") parts.pop();
  return "/" + parts.join("/");
}

/**
 * Fresh's route order: `_app` first; then segment by segment `_middleware`, other `_` files,
 * literals, `[param]`, `[...rest]`. Ties keep their input order (the generator sorts by name).
 */
export function sortRoutePaths(a: string, b: string): number {
  const isApp = (path: string) => /(^|\/)routes\/_app\.[jt]sx?$/.test(path);
  if (isApp(a) !== isApp(b)) return isApp(a) ? -1 : 1;
  const segmentsA = a.split("/");
  const segmentsB = b.split("/");
  const shared = Math.min(segmentsA.length, segmentsB.length);
  for (let i = 0; i < shared; i++) {
    const diff = segmentRank(segmentsB[i]) - segmentRank(segmentsA[i]);
    if (diff !== 0) return diff;
  }
  return 0;
}

function segmentRank(segment: string): number {
  if (segment.startsWith("_middleware")) return 4;
  if (segment.startsWith("_")) return 3;
  if (segment.startsWith("[...")) return 0;
  if (segment.startsWith("[")) return 1;
  return 2;
}
