/**
 * The services every route needs (configuration, KV, resolved webhook secrets), set once at
 * start-up by main.ts or by a test. Route files stay Fresh 1.x modules and reach them here.
 * @module
 */
import type { Config } from "./config.ts";

export interface Services {
  config: Config;
  kv: Deno.Kv;
  /** The secrets that verify Cal.com signatures: configured, or generated locally. */
  webhookSecrets: string[];
}

let current: Services | undefined;

/** Installs the services for this process (or test module). */
export function initServices(services: Services): Services {
  current = services;
  return services;
}

/** The installed services; throws when start-up has not run. */
export function services(): Services {
  if (!current) throw new Error("services not initialised: call initServices() first");
  return current;
}
