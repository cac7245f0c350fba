/**
 * Where to send and with which secret: the endpoint from `--url` or `--env` (flags, then
 * PREVIEW_URL / PRODUCTION_URL, then PORT for local), and the secret from `--secret`,
 * CALCOM_WEBHOOK_SECRET, or the secret a local instance generated and kept in its KV.
 * @module
 */
import { configOrExit, openKv } from "@/lib/startup.ts";
import { getGeneratedWebhookSecret } from "@/lib/store/settings.ts";
import { type SendOptions, UsageError } from "./args.ts";

export const WEBHOOK_PATH = "/api/calcom-webhook";
export const HEALTH_PATH = "/api/health";

export interface Target {
  /** The full endpoint URL that receives the POST. */
  endpoint: URL;
  /** `GET /api/health` on the endpoint's origin. */
  health: URL;
}

type Env = Record<string, string | undefined>;

/** A base URL gets the webhook path; a URL that already has a path is used as it is. */
function endpointFrom(raw: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${source} is not a URL: "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`${source} must be an http(s) URL`);
  }
  if (url.pathname === "/" || url.pathname === "") url.pathname = WEBHOOK_PATH;
  return url;
}

/** Resolves the endpoint for the options; throws {@link UsageError} when a URL is missing. */
export function resolveTarget(options: SendOptions, env: Env = Deno.env.toObject()): Target {
  let endpoint: URL;
  if (options.url) {
    endpoint = endpointFrom(options.url, "--url");
  } else if (options.env === "local") {
    endpoint = new URL(`http://localhost:${env.PORT || "8000"}${WEBHOOK_PATH}`);
  } else {
    const [flag, name] = options.env === "preview"
      ? [options.previewUrl, "PREVIEW_URL"]
      : [options.productionUrl, "PRODUCTION_URL"];
    const raw = flag ?? env[name];
    if (!raw) throw new UsageError(`--env ${options.env} needs --${options.env}-url or ${name}`);
    endpoint = endpointFrom(raw, flag ? `--${options.env}-url` : name);
  }
  return { endpoint, health: new URL(HEALTH_PATH, endpoint.origin) };
}

/**
 * The secret to sign with, or null when none can be found. During a rotation
 * (CALCOM_WEBHOOK_SECRET="new,old") the first one signs, as Cal.com would after the switch.
 */
export async function resolveSecret(options: SendOptions, env: Env = Deno.env.toObject()) {
  if (options.secret) return options.secret;
  const configured = (env.CALCOM_WEBHOOK_SECRET ?? "").split(",").map((s) => s.trim());
  if (configured[0]) return configured[0];
  if (options.env === "local" && !options.url) return await localInstanceSecret(env);
  return null;
}

/** Reads the secret a local instance generated on first start, without creating a database. */
async function localInstanceSecret(env: Env): Promise<string | null> {
  const config = configOrExit(env);
  const path = config.kvPath;
  if (!path || /^https?:\/\//.test(path)) return null;
  if (path !== ":memory:") {
    try {
      await Deno.stat(path);
    } catch {
      return null; // no local instance has run here yet
    }
  }
  const kv = await openKv(config);
  try {
    return await getGeneratedWebhookSecret(kv);
  } finally {
    kv.close();
  }
}
