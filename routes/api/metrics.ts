/**
 * `GET /api/metrics`: Prometheus text format, for a scraper holding `METRICS_TOKEN` as a
 * Bearer token. Without the variable the endpoint does not exist (404); a wrong or missing
 * token gets 401. Tokens are compared as SHA-256 digests in constant time.
 */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { constantTimeEqual } from "@/lib/auth/passwords.ts";
import { renderMetrics } from "@/lib/observability/metrics.ts";

const digest = async (text: string) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

async function tokenMatches(header: string | null, expected: string): Promise<boolean> {
  const presented = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1] ?? "";
  // Digests have one length, so neither the compare nor its time depends on the token's.
  return constantTimeEqual(await digest(presented), await digest(expected));
}

export const handler: Handlers = {
  async GET(req) {
    const { kv, config } = services();
    if (!config.metricsToken) return new Response("Not Found", { status: 404 });
    if (!(await tokenMatches(req.headers.get("authorization"), config.metricsToken))) {
      return new Response("Unauthorized", {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="metrics"' },
      });
    }
    try {
      return new Response(await renderMetrics(kv), {
        headers: {
          "content-type": "text/plain; version=0.0.4; charset=utf-8",
          "cache-control": "no-store",
        },
      });
    } catch {
      return new Response("KV unavailable", { status: 503 });
    }
  },
};
