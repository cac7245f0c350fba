/**
 * Settings the app keeps in KV itself. Owns `["setting", …]`: today the webhook secret that a
 * local instance generates on its first start when none is configured.
 * @module
 */

const WEBHOOK_SECRET_KEY = ["setting", "webhook_secret"] as const;

/** The generated local webhook secret, if one exists. */
export async function getGeneratedWebhookSecret(kv: Deno.Kv): Promise<string | null> {
  return (await kv.get<string>(WEBHOOK_SECRET_KEY)).value;
}

/**
 * Returns the local secret, generating and keeping it on first use. Two processes starting
 * together agree on one secret: only the first commit wins.
 */
export async function ensureGeneratedWebhookSecret(
  kv: Deno.Kv,
): Promise<{ secret: string; created: boolean }> {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const candidate = "whsec_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const result = await kv.atomic()
    .check({ key: WEBHOOK_SECRET_KEY, versionstamp: null })
    .set(WEBHOOK_SECRET_KEY, candidate)
    .commit();
  if (result.ok) return { secret: candidate, created: true };
  return { secret: (await getGeneratedWebhookSecret(kv))!, created: false };
}
