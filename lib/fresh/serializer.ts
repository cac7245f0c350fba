/**
 * Server side of island props serialisation (the inverse is `client/deserializer.ts`).
 *
 * The payload is JSON: `{"v": <values>, "r"?: [[targetPath, ...refPaths], ...], "s"?: 1}`.
 * Values JSON cannot carry are tagged objects with the reserved key `_f`:
 * - signal            `{"_f":"s","v":<value>}` (comes back as a live signal on the client)
 * - bigint            `{"_f":"b","d":"<decimal>"}`
 * - Uint8Array        `{"_f":"u8a","d":"<base64>"}`
 * - object with `_f`  `{"_f":"l","k":<its _f value>,"v":<the object without _f>}`
 * An object (or signal) met a second time, including cycles, is written once; later places hold
 * `0` and are listed in `r` as paths, so shared state stays shared after deserialisation.
 * Paths use the original keys; a signal's inner value is the segment `"value"`.
 * VNodes (JSX) become `null`: they are rebuilt from server HTML as slots, never serialised.
 * `"s":1` tells the boot script to load the signals chunk before deserialising.
 */
import { isValidElement } from "preact";

type PathSegment = string | number;
type Path = PathSegment[];

/** Anything with the shape of a `@preact/signals` signal (duck typed: any copy of the lib). */
interface SignalLike {
  peek(): unknown;
  value: unknown;
  subscribe(fn: (value: unknown) => void): () => void;
}

export interface SerializedProps {
  /** The JSON text (not yet safe to embed in HTML: see `escapeJsonForHtml`). */
  json: string;
  /** True when at least one signal was serialised. */
  hasSignals: boolean;
}

export class PropsSerializationError extends Error {
  override name = "PropsSerializationError";
}

function isSignal(value: object): value is SignalLike {
  const candidate = value as Partial<SignalLike>;
  return typeof candidate.peek === "function" && typeof candidate.subscribe === "function" &&
    "value" in value;
}

/** Preact marks vnodes with an own `constructor: undefined`; null-prototype records lack it. */
function isVNode(value: object): boolean {
  return Object.hasOwn(value, "constructor") && isValidElement(value);
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  // Chunked so large arrays do not overflow the argument limit of fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Writes JSON text directly so hostile keys like `__proto__` can never touch a prototype. */
class PropsWriter {
  readonly seen = new Map<object, Path>();
  readonly refs = new Map<object, Path[]>();
  hasSignals = false;

  write(value: unknown, path: Path): string {
    switch (typeof value) {
      case "string":
      case "boolean":
        return JSON.stringify(value);
      case "number":
        return Number.isFinite(value) ? JSON.stringify(value) : "null";
      case "bigint":
        return `{"_f":"b","d":"${value.toString()}"}`;
      case "undefined":
        return "null";
      case "object":
        return value === null ? "null" : this.writeObject(value, path);
      default:
        throw new PropsSerializationError(
          `Cannot serialize island prop at ${
            path.join(".")
          }: ${typeof value} values are not supported`,
        );
    }
  }

  private writeObject(value: object, path: Path): string {
    // Signals pose as vnodes (for `{signal}` in JSX), so they are checked first.
    if (!isSignal(value) && isVNode(value)) return "null";
    const first = this.seen.get(value);
    if (first !== undefined) {
      const places = this.refs.get(value) ?? [];
      places.push(path);
      this.refs.set(value, places);
      return "0";
    }
    this.seen.set(value, path);
    if (isSignal(value)) {
      this.hasSignals = true;
      return `{"_f":"s","v":${this.write(value.peek(), [...path, "value"])}}`;
    }
    if (value instanceof Uint8Array) return `{"_f":"u8a","d":"${base64(value)}"}`;
    if (Array.isArray(value)) {
      return `[${value.map((item, i) => this.write(item, [...path, i])).join(",")}]`;
    }
    if (!isPlainObject(value)) {
      const kind = value.constructor?.name ?? "object";
      throw new PropsSerializationError(
        `Cannot serialize island prop at ${path.join(".")}: ${kind} is not a plain object`,
      );
    }
    return this.writeRecord(value as Record<string, unknown>, path);
  }

  private writeRecord(record: Record<string, unknown>, path: Path): string {
    const fields: string[] = [];
    for (const key of Object.keys(record)) {
      if (key === "_f" || record[key] === undefined) continue;
      fields.push(`${JSON.stringify(key)}:${this.write(record[key], [...path, key])}`);
    }
    const body = `{${fields.join(",")}}`;
    if (!Object.hasOwn(record, "_f")) return body;
    // The object's own `_f` would be mistaken for a tag, so it is moved aside.
    return `{"_f":"l","k":${this.write(record._f, [...path, "_f"])},"v":${body}}`;
  }
}

/**
 * Serialises island props (one entry per island instance) into the payload JSON.
 *
 * @example serializeProps([{ count: signal(1) }]).json // '{"v":[{"count":{"_f":"s","v":1}}],"s":1}'
 */
export function serializeProps(values: unknown[]): SerializedProps {
  const writer = new PropsWriter();
  const body = writer.write(values, []);
  let json = `{"v":${body}`;
  if (writer.refs.size > 0) {
    const groups = [...writer.refs].map(([target, places]) => [writer.seen.get(target), ...places]);
    json += `,"r":${JSON.stringify(groups)}`;
  }
  if (writer.hasSignals) json += `,"s":1`;
  return { json: `${json}}`, hasSignals: writer.hasSignals };
}

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * Makes JSON text safe inside `<script type="application/json">`: no `</script>`, no `<!--`,
 * no HTML entity surprises, no line separators that old JS parsers reject. The characters can
 * only appear inside JSON strings, where a `\uXXXX` escape means exactly the same.
 */
export function escapeJsonForHtml(json: string): string {
  return json.replace(
    HTML_UNSAFE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
