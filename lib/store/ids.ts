/**
 * Sortable ids (ULID layout: 48-bit millisecond time + 80 random bits, Crockford base32), so
 * time-ordered indexes list newest first with a reverse `list`. Ids made in the same
 * millisecond by this process still sort in creation order.
 * @module
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
let lastTime = -1;
let lastRandom = new Uint8Array(10);

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** Adds one to the 80-bit random part, keeping ids from one millisecond in order. */
function increment(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const next = bytes.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] < 255) {
      next[i]++;
      return next;
    }
    next[i] = 0;
  }
  return next;
}

/**
 * A new 26-character sortable id.
 *
 * @example
 * newId(); // "01JE9Z7Q3W6V0M5T8N2K4H1C9B"
 */
export function newId(now = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = crypto.getRandomValues(new Uint8Array(10));
  }
  return encodeTime(lastTime) + encodeRandom(lastRandom);
}
