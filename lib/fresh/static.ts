/**
 * Static files from `static/`: indexed once at start-up (so only files that exist can ever be
 * served: no path from the request reaches the file system), answered with an ETag, 304 on a
 * matching `If-None-Match`, and immutable caching for `asset()` URLs (`?__frsh_c=<BUILD_ID>`).
 */

export interface StaticFile {
  fsPath: string;
  contentType: string;
  /** Quoted strong ETag: SHA-1 of build id + URL path (+ mtime and size). */
  etag: string;
}

/** Decoded URL path (`/css/app.css`) → file. */
export type StaticIndex = Map<string, StaticFile>;

export const ASSET_CACHE_PARAM = "__frsh_c";
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Files not fetched through `asset()` may change with a deploy: cache briefly, then revalidate. */
const REVALIDATE = "public, max-age=60, must-revalidate";

const TYPES: Record<string, string> = {
  avif: "image/avif",
  css: "text/css; charset=utf-8",
  gif: "image/gif",
  htm: "text/html; charset=utf-8",
  html: "text/html; charset=utf-8",
  ico: "image/x-icon",
  jpeg: "image/jpeg",
  jpg: "image/jpeg",
  js: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
  map: "application/json; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  otf: "font/otf",
  pdf: "application/pdf",
  png: "image/png",
  svg: "image/svg+xml; charset=utf-8",
  ttf: "font/ttf",
  txt: "text/plain; charset=utf-8",
  wasm: "application/wasm",
  webmanifest: "application/manifest+json; charset=utf-8",
  webp: "image/webp",
  woff: "font/woff",
  woff2: "font/woff2",
  xml: "application/xml; charset=utf-8",
};

/** The content type for a file name, `application/octet-stream` when unknown. */
export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  const extension = dot === -1 ? "" : name.slice(dot + 1).toLowerCase();
  return TYPES[extension] ?? "application/octet-stream";
}

/** Walks `dir` (absolute; a missing folder is an empty index). Symlinks are not followed. */
export async function indexStaticFiles(dir: string, buildId: string): Promise<StaticIndex> {
  const index: StaticIndex = new Map();
  const pending: string[] = [""];
  while (pending.length > 0) {
    const relative = pending.pop()!;
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir + relative));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound && relative === "") return index;
      throw error;
    }
    for (const entry of entries) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory) pending.push(path);
      else if (entry.isFile) {
        // Fresh hashes build id + path. The file's mtime and size join in so that a changed
        // file gets a new ETag even when the build id stays the same (local runs: "dev").
        const { mtime, size } = await Deno.stat(dir + path);
        const etag = `"${await sha1Hex(`${buildId}${path}:${mtime?.getTime() ?? ""}:${size}`)}"`;
        index.set(path, { fsPath: dir + path, contentType: contentTypeOf(entry.name), etag });
      }
    }
  }
  return index;
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Looks a request path up in the index; `undefined` for anything not indexed. */
export function findStaticFile(index: StaticIndex, pathname: string): StaticFile | undefined {
  if (index.size === 0) return undefined;
  try {
    return index.get(decodeURIComponent(pathname));
  } catch {
    return undefined;
  }
}

/** Answers a request for an indexed file (GET and HEAD; anything else is 405). */
export async function serveStaticFile(
  req: Request,
  url: URL,
  file: StaticFile,
  buildId: string,
): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response(null, { status: 405, headers: { Allow: "GET, HEAD" } });
  }
  const cacheKey = url.searchParams.get(ASSET_CACHE_PARAM);
  if (cacheKey !== null && cacheKey !== buildId) {
    // An asset URL from an older build: send the client to the current file.
    const bare = new URL(url);
    bare.searchParams.delete(ASSET_CACHE_PARAM);
    return new Response(null, { status: 307, headers: { Location: bare.pathname + bare.search } });
  }
  const headers = new Headers({
    "Content-Type": file.contentType,
    ETag: file.etag,
    "Cache-Control": cacheKey === null ? REVALIDATE : IMMUTABLE,
    Vary: "If-None-Match",
  });
  if (etagMatches(req.headers.get("If-None-Match"), file.etag)) {
    return new Response(null, { status: 304, headers });
  }
  const handle = await Deno.open(file.fsPath, { read: true });
  const { size } = await handle.stat();
  headers.set("Content-Length", String(size));
  if (req.method === "HEAD") {
    handle.close();
    return new Response(null, { status: 200, headers });
  }
  return new Response(handle.readable, { status: 200, headers });
}

function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed === etag || trimmed === `W/${etag}`;
  });
}
