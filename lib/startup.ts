/**
 * Start-up steps shared by main.ts and the CLIs: validate configuration, open KV, resolve the
 * webhook secrets (configured, or generated once and kept in KV on a local instance).
 * @module
 */
import { type Config, loadConfig } from "./config.ts";
import { type Services } from "./app.ts";
import { ensureGeneratedWebhookSecret } from "./store/settings.ts";

/** Loads the configuration or exits with one line per problem. */
export function configOrExit(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Config {
  const result = loadConfig(env);
  if (result.ok) return result.config;
  console.error("calcom-webhook: configuration problems:");
  for (const problem of result.problems) console.error(`  - ${problem}`);
  Deno.exit(1);
}

/** Opens the configured KV, creating the local data folder when needed. */
export async function openKv(config: Config): Promise<Deno.Kv> {
  const path = config.kvPath;
  if (path && path !== ":memory:" && !/^https?:\/\//.test(path)) {
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
    await Deno.mkdir(dir, { recursive: true });
  }
  return await Deno.openKv(path);
}

/** The services for this process, plus whether a new local secret was generated. */
export async function prepareServices(
  config: Config,
  kv: Deno.Kv,
): Promise<{ services: Services; generatedSecret?: { secret: string; created: boolean } }> {
  if (config.webhookSecrets.length > 0) {
    return { services: { config, kv, webhookSecrets: config.webhookSecrets } };
  }
  // loadConfig already refused production without a secret; this is a local instance.
  const generated = await ensureGeneratedWebhookSecret(kv);
  return {
    services: { config, kv, webhookSecrets: [generated.secret] },
    generatedSecret: generated,
  };
}
