/**
 * Scrubbing before anything leaves for an error tracker: an event keeps error types, redacted
 * messages, stack frames and our own id tags; everything else is dropped. Error messages can
 * quote what a booker typed (a JSON parse error quotes the body), so quoted text, addresses,
 * tokens and long hex strings are replaced.
 * @module
 */
import type { ErrorEvent, StackFrame } from "@sentry/deno";

/** The tags our code sets; anything else is dropped. */
export const SAFE_TAGS = [
  "request_id",
  "area",
  "route",
  "method",
  "delivery_id",
  "event_id",
  "trigger",
  "status",
  "job",
] as const;

const SAFE_CONTEXTS = ["runtime", "os", "trace", "app", "cloud_resource"];
const MAX_TEXT = 500;

const REDACTIONS: [RegExp, string][] = [
  [/[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+/g, "[email]"],
  [/\b(bearer|basic)\s+\S+/gi, "$1 [redacted]"],
  [/\bSG\.[\w-]+\.[\w-]+/g, "[sendgrid-key]"],
  [/\b[0-9a-f]{32,}\b/gi, "[hex]"],
  [/(password|secret|token|cookie|authorization|api[_-]?key)(\s*[=:]\s*)\S+/gi, "$1$2[redacted]"],
];

/** Quoted text, unless it is a lower-camel identifier such as a property name ('uid'). */
const QUOTED = /(["'`])((?:(?!\1).){2,}?)\1/g;
const IDENTIFIER = /^[a-z_$][\w$]{0,40}$/;

/**
 * Redacts one piece of text that may quote user input.
 *
 * @example
 * redactText(`Unexpected token 'J', "Jane Doe <jane@example.com>" is not valid JSON`);
 * // → `Unexpected token 'J', "[redacted]" is not valid JSON`
 */
export function redactText(text: string): string {
  let out = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  out = out.replace(
    QUOTED,
    (all, q: string, inner: string) => IDENTIFIER.test(inner) ? all : `${q}[redacted]${q}`,
  );
  for (const [pattern, replacement] of REDACTIONS) out = out.replace(pattern, replacement);
  return out;
}

function scrubFrame(frame: StackFrame): StackFrame {
  return {
    filename: frame.filename,
    function: frame.function,
    lineno: frame.lineno,
    colno: frame.colno,
    in_app: frame.in_app,
  };
}

function pick<T>(source: Record<string, T> | undefined, keys: readonly string[]) {
  const out: Record<string, T> = {};
  for (const key of keys) if (source && key in source) out[key] = source[key];
  return out;
}

/** Returns the event reduced to what is safe to send. */
export function scrubEvent(event: ErrorEvent): ErrorEvent {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(pick(event.tags, SAFE_TAGS))) {
    tags[key] = redactText(String(value));
  }
  return {
    ...event,
    message: event.message === undefined ? undefined : redactText(event.message),
    exception: event.exception && {
      values: event.exception.values?.map((value) => ({
        type: value.type,
        value: value.value === undefined ? undefined : redactText(value.value),
        mechanism: value.mechanism && {
          type: value.mechanism.type,
          handled: value.mechanism.handled,
        },
        stacktrace: value.stacktrace && {
          frames: value.stacktrace.frames?.map(scrubFrame),
        },
      })),
    },
    tags,
    contexts: pick(event.contexts, SAFE_CONTEXTS),
    user: undefined,
    request: undefined,
    extra: undefined,
    breadcrumbs: undefined,
    server_name: undefined,
    logentry: undefined,
  };
}
