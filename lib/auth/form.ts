/**
 * Reads the small urlencoded forms of the sign-in and set-up pages with a size cap, so an
 * unauthenticated client cannot make the server buffer a large body.
 * @module
 */

export const FORM_MAX_BYTES = 8 * 1024;

/** The form's fields, or null when the body exceeds `maxBytes` (answer 413). */
export async function readSmallForm(
  req: Request,
  maxBytes = FORM_MAX_BYTES,
): Promise<URLSearchParams | null> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    for await (const chunk of req.body) {
      size += chunk.byteLength;
      if (size > maxBytes) return null;
      chunks.push(chunk);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new URLSearchParams(new TextDecoder().decode(bytes));
}
