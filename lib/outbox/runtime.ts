/**
 * Wiring for main.ts. `Deno.cron` must be registered at the top level of main.ts (Deno Deploy
 * finds crons when the module loads), before the awaits that open KV; so the cron callback
 * waits here for the dispatcher that start-up installs a moment later.
 * @module
 */
import type { Config } from "../config.ts";
import { preloadEmailRenderer } from "../email/renderer.ts";
import { log } from "../log.ts";
import { createDispatcher, type Dispatcher, type DispatcherOptions } from "./dispatcher.ts";
import { dispatchCommitted, listenForDeliveries } from "./queue.ts";
import { sweepDueDeliveries } from "./sweep.ts";

let installed: Dispatcher | undefined;
let resolveReady: (d: Dispatcher) => void = () => {};
const ready = new Promise<Dispatcher>((resolve) => (resolveReady = resolve));
/** How long a cron run waits for start-up before giving up until the next minute. */
const STARTUP_WAIT_MS = 30_000;
/**
 * The SendGrid client's modules take ~100 ms to load and block the event loop meanwhile, so they
 * load a moment after listening, once the requests that woke a cold instance are answered.
 * An email sent before then loads them itself.
 */
const TRANSPORT_WARM_UP_DELAY_MS = 1_000;

/**
 * Creates and installs the process's dispatcher; in kv mode also starts the queue listener.
 * Returns the dispatcher and the listener's promise (settles when KV closes).
 */
export function startDispatch(
  services: { kv: Deno.Kv; config: Config },
  options: DispatcherOptions = {},
): { dispatcher: Dispatcher; listening: Promise<void> } {
  const dispatcher = createDispatcher(services, options);
  installed = dispatcher;
  resolveReady(dispatcher);
  const listening = dispatcher.queueMode === "kv"
    ? listenForDeliveries(dispatcher)
    : Promise.resolve();
  log.info("email dispatch started", {
    queueMode: dispatcher.queueMode,
    transport: dispatcher.transport.name,
  });
  return { dispatcher, listening };
}

/**
 * Call once the server listens: loads the email renderer now (cheap, its heavy dependencies are
 * few) and the transport's client shortly after, so the first email does not wait for either.
 */
export function warmUpDispatch(): void {
  const dispatcher = installed;
  if (!dispatcher) return;
  preloadEmailRenderer().catch(warmUpFailed);
  const prepare = dispatcher.transport.prepare;
  if (!prepare) return;
  const timer = setTimeout(
    () => prepare.call(dispatcher.transport).catch(warmUpFailed),
    TRANSPORT_WARM_UP_DELAY_MS,
  );
  Deno.unrefTimer(timer);
}

/** Not fatal: the first email loads what it needs and reports a failure there. */
function warmUpFailed(error: unknown): void {
  log.warn("email warm-up failed", { error: (error as Error)?.name ?? "unknown" });
}

/**
 * kv mode: sends the emails an ingest commit just queued from this process at once, instead of
 * after the local queue's poll. cron mode stays sweep-only (DESIGN.md's QUEUE_MODE contract).
 */
export function dispatchAfterIngest(deliveryIds: readonly string[]): void {
  if (installed?.queueMode === "kv" && deliveryIds.length > 0) {
    dispatchCommitted(installed, deliveryIds);
  }
}

/** The installed dispatcher, if start-up has run. */
export function currentDispatcher(): Dispatcher | undefined {
  return installed;
}

/** The cron job's body: one sweep, once start-up has installed the dispatcher. */
export async function runDeliveriesSweep(): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), STARTUP_WAIT_MS);
  });
  const dispatcher = installed ?? await Promise.race([ready, timeout]);
  clearTimeout(timer);
  if (!dispatcher) {
    log.warn("deliveries sweep skipped: start-up not finished");
    return;
  }
  const report = await sweepDueDeliveries(dispatcher);
  if (report.examined > 0) log.info("deliveries sweep", { examined: report.examined });
}
