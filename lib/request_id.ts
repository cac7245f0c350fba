/**
 * Request ids: an incoming `X-Request-Id` is honoured when it looks like an id, otherwise one is
 * made. The id of the request being handled is kept in async-local storage so every log line
 * written while handling it carries the id without passing it around.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { newId } from "./store/ids.ts";

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const storage = new AsyncLocalStorage<string>();

/** The caller's id when it is safe to echo and log, else a new sortable id. */
export function acceptRequestId(header: string | null): string {
  return header && SANE_ID.test(header) ? header : newId();
}

/** Runs `fn` with `id` as the current request id. */
export function withRequestId<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** The id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore();
}
