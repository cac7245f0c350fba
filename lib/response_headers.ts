/**
 * Setting headers on a response that may have immutable ones (`Response.redirect()`, fetched
 * responses): those are copied first.
 * @module
 */

/** `res` with `headers` set. */
export function withHeaders(res: Response, headers: Readonly<Record<string, string>>): Response {
  let out = res;
  try {
    for (const [name, value] of Object.entries(headers)) out.headers.set(name, value);
  } catch {
    out = new Response(res.body, res);
    for (const [name, value] of Object.entries(headers)) out.headers.set(name, value);
  }
  return out;
}
