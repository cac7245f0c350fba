/**
 * Configuration from environment variables (DESIGN.md § Configuration), validated with zod at
 * start-up. Every problem is reported on its own line; with nothing set, a complete local
 * instance runs on embedded defaults.
 * @module
 */
import { z } from "zod";
import { KNOWN_TRIGGERS } from "./calcom/schema.ts";
import { isTimeZone } from "./time_zone.ts";
import { LOG_LEVELS, type LogLevel } from "./log.ts";

export type QueueMode = "kv" | "cron";

const DEFAULT_NOTIFY = "BOOKING_CREATED,BOOKING_RESCHEDULED,BOOKING_CANCELLED,BOOKING_REQUESTED";

const list = (s: string | undefined) => (s ?? "").split(",").map((x) => x.trim()).filter(Boolean);
const blankToUndefined = (s: unknown) => (typeof s === "string" && s.trim() === "" ? undefined : s);
const optional = z.preprocess(blankToUndefined, z.string().optional());
const email = z.string().regex(
  /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/,
  "must be an email address",
);

const envSchema = z.object({
  PORT: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65535).default(8000)),
  KV_PATH: optional,
  CALCOM_WEBHOOK_SECRET: optional,
  SENDGRID_API_KEY: optional,
  SENDGRID_API_URL: z.preprocess(blankToUndefined, z.url().default("https://api.sendgrid.com")),
  SENDGRID_EVENT_PUBLIC_KEY: optional,
  EMAIL_FROM: z.preprocess(blankToUndefined, email.optional()),
  EMAIL_TO: z.preprocess(blankToUndefined, z.string().optional()).transform(list).pipe(
    z.array(email),
  ),
  NOTIFY_EVENTS: z.preprocess(blankToUndefined, z.string().default(DEFAULT_NOTIFY)).transform(list)
    .pipe(z.array(z.enum(KNOWN_TRIGGERS))),
  STAFF_TIMEZONE: z.preprocess(
    blankToUndefined,
    z.string().refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin").optional(),
  ),
  PUBLIC_URL: z.preprocess(blankToUndefined, z.url().optional()),
  ADMIN_EMAIL: z.preprocess(blankToUndefined, email.optional()),
  ADMIN_PASSWORD: optional,
  QUEUE_MODE: z.preprocess(blankToUndefined, z.enum(["auto", "kv", "cron"]).default("auto")),
  DENO_DEPLOYMENT_ID: optional,
  LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(LOG_LEVELS).default("info")),
  SENTRY_DSN: z.preprocess(blankToUndefined, z.url().optional()),
  SENTRY_ENVIRONMENT: optional,
  METRICS_TOKEN: z.preprocess(blankToUndefined, z.string().min(16).optional()),
  ALERT_WEBHOOK_URL: z.preprocess(blankToUndefined, z.url().optional()),
  ALERT_SILENCE_HOURS: z.preprocess(blankToUndefined, z.coerce.number().min(0).default(24)),
});

export interface SendgridConfig {
  apiKey: string;
  apiUrl: string;
}

export interface Config {
  port: number;
  /** What `Deno.openKv` opens; undefined means the platform's own database (Deno Deploy). */
  kvPath: string | undefined;
  /** Configured secrets; empty locally until one is generated and kept in KV. */
  webhookSecrets: string[];
  sendgrid?: SendgridConfig;
  sendgridApiUrl: string;
  sendgridEventPublicKey?: string;
  emailFrom?: string;
  emailTo: string[];
  notifyEvents: string[];
  staffTimeZone?: string;
  publicUrl: string;
  admin?: { email: string; password: string };
  queueMode: QueueMode;
  /** True on Deno Deploy (`DENO_DEPLOYMENT_ID`): no generated secrets, no local defaults. */
  production: boolean;
  logLevel: LogLevel;
  /** Error reporting, only when `SENTRY_DSN` is set. */
  sentry?: { dsn: string; environment: string };
  /** Bearer token of `GET /api/metrics`; unset: the endpoint answers 404. */
  metricsToken?: string;
  /** Where alerts are posted (Slack-compatible JSON) and how long a silence is. 0 turns it off. */
  alerts: { webhookUrl?: string; silenceHours: number };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/**
 * Validates the environment. Never throws; problems come back one line each.
 *
 * @example
 * const result = loadConfig(Deno.env.toObject());
 */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) =>
        `${i.path.join(".") || "environment"}: ${i.message}`
      ),
    };
  }
  const e = parsed.data;
  const production = e.DENO_DEPLOYMENT_ID !== undefined;
  const problems = crossFieldProblems(e, production);
  if (problems.length) return { ok: false, problems };
  const kvPath = e.KV_PATH ?? (production ? undefined : ".data/kv.sqlite3");
  const remoteKv = kvPath !== undefined && /^https?:\/\//.test(kvPath);
  return {
    ok: true,
    config: {
      port: e.PORT,
      kvPath,
      webhookSecrets: list(e.CALCOM_WEBHOOK_SECRET),
      sendgrid: e.SENDGRID_API_KEY
        ? { apiKey: e.SENDGRID_API_KEY, apiUrl: e.SENDGRID_API_URL }
        : undefined,
      sendgridApiUrl: e.SENDGRID_API_URL,
      sendgridEventPublicKey: e.SENDGRID_EVENT_PUBLIC_KEY,
      emailFrom: e.EMAIL_FROM,
      emailTo: e.EMAIL_TO,
      notifyEvents: e.NOTIFY_EVENTS,
      staffTimeZone: e.STAFF_TIMEZONE,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
      admin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD
        ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD }
        : undefined,
      queueMode: e.QUEUE_MODE === "auto" ? (production || remoteKv ? "cron" : "kv") : e.QUEUE_MODE,
      production,
      logLevel: e.LOG_LEVEL,
      sentry: e.SENTRY_DSN
        ? {
          dsn: e.SENTRY_DSN,
          environment: e.SENTRY_ENVIRONMENT ?? (production ? "production" : "development"),
        }
        : undefined,
      metricsToken: e.METRICS_TOKEN,
      alerts: { webhookUrl: e.ALERT_WEBHOOK_URL, silenceHours: e.ALERT_SILENCE_HOURS },
    },
  };
}

function crossFieldProblems(e: z.infer<typeof envSchema>, production: boolean): string[] {
  const problems: string[] = [];
  if (production && list(e.CALCOM_WEBHOOK_SECRET).length === 0) {
    problems.push("CALCOM_WEBHOOK_SECRET: required in production (DENO_DEPLOYMENT_ID is set)");
  }
  if (e.SENDGRID_API_KEY && !e.EMAIL_FROM) {
    problems.push("EMAIL_FROM: required when SENDGRID_API_KEY is set");
  }
  if (e.SENDGRID_API_KEY && e.EMAIL_TO.length === 0) {
    problems.push("EMAIL_TO: required when SENDGRID_API_KEY is set (comma separated addresses)");
  }
  if (Boolean(e.ADMIN_EMAIL) !== Boolean(e.ADMIN_PASSWORD)) {
    problems.push("ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither");
  }
  if (e.ADMIN_PASSWORD && e.ADMIN_PASSWORD.length < 12) {
    problems.push("ADMIN_PASSWORD: must be at least 12 characters");
  }
  if (e.QUEUE_MODE === "kv" && e.KV_PATH && /^https?:\/\//.test(e.KV_PATH)) {
    problems.push("QUEUE_MODE: kv queues do not work over KV Connect; use cron or auto");
  }
  return problems;
}
