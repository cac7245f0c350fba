/**
 * The `@sendgrid/mail` client as sendgrid.ts uses it. Its own module so that sendgrid.ts can
 * load it (and axios, and Node's http stack) with one dynamic import on first use.
 * @module
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { MailService } from "@sendgrid/mail";
import type { SendgridConfig } from "../config.ts";

interface WithHttpClient {
  client: { setDefaultRequest(key: string, value: unknown): void };
}

/** A client for one transport: base URL, timeout, no keep-alive, no redirects. */
export function createMailClient(config: SendgridConfig, timeoutMs: number): MailService {
  const client = new MailService();
  client.setApiKey(config.apiKey); // first: it resets baseUrl to api.sendgrid.com
  // The typings omit the instance's `client` (a @sendgrid/client Client): its axios defaults.
  const http = (client as unknown as WithHttpClient).client;
  http.setDefaultRequest("baseUrl", config.apiUrl.replace(/\/+$/, "") + "/");
  client.setTimeout(timeoutMs);
  // No keep-alive: Deno's node:http re-sends a request, POST included, when the pooled socket
  // it went out on closes before a response, even one axios destroyed at its timeout
  // (denoland/deno#36786). SendGrid has no idempotency key, so that replay is a second email.
  // A fresh socket per request is never "reused", so never replayed (tests/email_transport_test.ts).
  http.setDefaultRequest("httpAgent", new HttpAgent({ keepAlive: false }));
  http.setDefaultRequest("httpsAgent", new HttpsAgent({ keepAlive: false }));
  // A redirect would re-post the email elsewhere; SendGrid's Mail Send never redirects.
  http.setDefaultRequest("maxRedirects", 0);
  return client;
}
