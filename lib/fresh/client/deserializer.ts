/**
 * Browser side of island props serialisation; the format is described in `../serializer.ts`.
 *
 * Works on the already parsed payload and revives in place, so keys such as `__proto__` (own
 * data properties after `JSON.parse`) are never assigned through a setter.
 */

type PathSegment = string | number;

/** Creates a signal from the shared `@preact/signals` instance. */
export type SignalFactory = (value: unknown) => unknown;

interface Payload {
  v: unknown[];
  r?: PathSegment[][][];
  s?: 1;
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function reviveTagged(tagged: Record<string, unknown>, signal?: SignalFactory): unknown {
  switch (tagged._f) {
    case "s": {
      if (!signal) throw new Error("Island props contain a signal but no signal factory was given");
      return signal(revive(tagged.v, signal));
    }
    case "b":
      return BigInt(tagged.d as string);
    case "u8a":
      return fromBase64(tagged.d as string);
    case "l": {
      const record = revive(tagged.v, signal) as Record<string, unknown>;
      record._f = revive(tagged.k, signal);
      return record;
    }
    default:
      throw new Error(`Unknown tag in island props: ${String(tagged._f)}`);
  }
}

function revive(value: unknown, signal?: SignalFactory): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i], signal);
    return value;
  }
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, "_f")) return reviveTagged(record, signal);
  for (const key of Object.keys(record)) record[key] = revive(record[key], signal);
  return record;
}

function getAt(root: unknown, path: PathSegment[]): unknown {
  let node = root;
  for (const segment of path) node = (node as Record<PathSegment, unknown>)[segment];
  return node;
}

/** Puts shared objects back at every place that held a `0` placeholder. */
function linkRefs(root: unknown, groups: PathSegment[][][]): void {
  for (const [target, ...places] of groups) {
    const shared = getAt(root, target);
    for (const place of places) {
      const parent = getAt(root, place.slice(0, -1)) as Record<PathSegment, unknown>;
      parent[place[place.length - 1]] = shared;
    }
  }
}

/** True when the payload needs live signals, i.e. the signals chunk must be loaded first. */
export function payloadHasSignals(payload: unknown): boolean {
  return (payload as Payload).s === 1;
}

/**
 * Revives a parsed payload into the props array (one entry per island instance).
 *
 * @example deserializeProps(JSON.parse(text), signal)[0].count.value
 */
export function deserializeProps(payload: unknown, signal?: SignalFactory): unknown[] {
  const { v, r } = payload as Payload;
  const values = revive(v, signal) as unknown[];
  if (r) linkRefs(values, r);
  return values;
}
