/**
 * Reads a request body as raw bytes with a hard cap, while streaming: a body over the cap is
 * refused as soon as the cap is crossed, whatever `Content-Length` claims, and the rest is never
 * buffered.
 * @module
 */

/** The webhook body limit from DESIGN.md. */
export const MAX_WEBHOOK_BODY = 1024 * 1024;

/** Thrown when a body exceeds its cap; routes answer 413. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body exceeds ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Returns the body's exact bytes, or throws {@link BodyTooLargeError}.
 *
 * @example
 * const body = await readBodyCapped(req, MAX_WEBHOOK_BODY);
 */
export async function readBodyCapped(
  req: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get("content-length"));
  if (declared > limit) {
    await req.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit);
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    parts.push(value);
  }
  // Reuse the chunk only when it owns its whole buffer: a view into the server's larger read
  // buffer would be stored whole by KV (structured clone) and exceed its 64 KiB value limit.
  if (parts.length === 1 && parts[0].byteOffset === 0 && parts[0].buffer.byteLength === size) {
    return new Uint8Array(parts[0].buffer as ArrayBuffer, 0, size);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}
