/**
 * The benchmark's Markdown table: ratios against the same run's baselines, with the targets
 * from the benchmark issue, and the absolute figures next to them.
 * @module
 */
import type { BatchingFigure } from "./batching.ts";
import type { IngestFigures } from "./ingest.ts";
import type { LoadResult } from "./load.ts";

export interface Results {
  quick: boolean;
  tool: string;
  cpus: number;
  at: string;
  ingest?: IngestFigures;
  cold?: { aMs: number; appMs: number };
  notify?: { p50Ms: number; p95Ms: number; samples: number };
  backlog?: { emails: number; seconds: number; perSecond: number; duplicates: number };
  batching?: BatchingFigure[];
  admin?: {
    rows: {
      size: number;
      list: { medianMs: number; p95Ms: number };
      booking: { medianMs: number };
    }[];
    js: { files: number; rawBytes: number; gzipBytes: number };
  };
}

const verdict = (ok: boolean) => (ok ? "met" : "**missed**");
const n0 = (x: number) => x.toFixed(0);
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

function ingestRows(ingest: IngestFigures): string[] {
  const rows: string[] = [];
  ingest.results.app.forEach((app: LoadResult, i: number) => {
    const c = ingest.results.c[i];
    const a = ingest.results.a[i];
    const b = ingest.results.b[i];
    const tput = app.requestsPerSecond / c.requestsPerSecond;
    const p99 = app.p99Ms / c.p99Ms;
    rows.push(
      `| ingest throughput, ${app.connections} conn | ${tput.toFixed(2)} × (c) | ≥ 0.9 | ${
        verdict(tput >= 0.9)
      } | ` +
        `app ${n0(app.requestsPerSecond)} req/s · a ${n0(a.requestsPerSecond)} · b ${
          n0(b.requestsPerSecond)
        } · c ${n0(c.requestsPerSecond)} |`,
      `| ingest p99, ${app.connections} conn | ${p99.toFixed(2)} × (c) | ≤ 1.5 | ${
        verdict(p99 <= 1.5)
      } | ` +
        `app p50 ${ms(app.p50Ms)} p99 ${ms(app.p99Ms)} · c p50 ${ms(c.p50Ms)} p99 ${ms(c.p99Ms)} |`,
    );
  });
  rows.push(
    `| app peak RSS during the ingest runs | — | — | — | ${ingest.appPeakRssMiB.toFixed(0)} MiB |`,
  );
  return rows;
}

export function markdownReport(r: Results): string {
  const rows = [
    "| figure | ratio | target | | absolute |",
    "| --- | --- | --- | --- | --- |",
  ];
  if (r.ingest) rows.push(...ingestRows(r.ingest));
  if (r.cold) {
    const ratio = r.cold.appMs / r.cold.aMs;
    rows.push(
      `| cold start to first accepted webhook | ${ratio.toFixed(2)} × (a) | ≤ 2 | ${
        verdict(ratio <= 2)
      } | app ${n0(r.cold.appMs)} ms · a ${n0(r.cold.aMs)} ms |`,
    );
  }
  if (r.notify) {
    rows.push(
      `| notification latency (kv mode) | — | p50 ≤ 50 ms | ${
        verdict(r.notify.p50Ms <= 50)
      } | p50 ${ms(r.notify.p50Ms)} · p95 ${ms(r.notify.p95Ms)} (${r.notify.samples} emails) |`,
    );
  }
  if (r.backlog) {
    rows.push(
      `| backlog drain, fake answering in 50 ms | — | — | — | ${r.backlog.emails} emails in ${
        r.backlog.seconds.toFixed(1)
      } s = ${r.backlog.perSecond.toFixed(0)}/s, ${r.backlog.duplicates} duplicate sends |`,
    );
  }
  if (r.batching) {
    const [one, own, grouped] = r.batching;
    rows.push(
      `| group commit, real ingest commit, 32 in flight | ${
        (grouped.eventsPerSecond / own.eventsPerSecond).toFixed(2)
      } × own commits | — | — | ${
        r.batching.map((b) => `${b.mode} ${n0(b.eventsPerSecond)} ev/s (${b.commits} commits)`)
          .join(" · ")
      }; ${(grouped.eventsPerSecond / one.eventsPerSecond).toFixed(2)} × one in flight |`,
    );
  }
  if (r.admin) rows.push(...adminRows(r.admin));
  return rows.join("\n");
}

function adminRows(admin: NonNullable<Results["admin"]>): string[] {
  const first = admin.rows[0];
  const last = admin.rows[admin.rows.length - 1];
  const listRatio = last.list.medianMs / first.list.medianMs;
  const bookingRatio = last.booking.medianMs / first.booking.medianMs;
  const sizes = admin.rows.map((x) => `${x.size / 1000}k ${ms(x.list.medianMs)}`).join(" · ");
  return [
    `| /admin render, ${last.size / 1000}k vs ${first.size / 1000}k bookings | ${
      listRatio.toFixed(2)
    } | ≤ 1.2 | ${verdict(listRatio <= 1.2)} | ${sizes} |`,
    `| booking page render, ${last.size / 1000}k vs ${first.size / 1000}k | ${
      bookingRatio.toFixed(2)
    } | ≤ 1.2 | ${verdict(bookingRatio <= 1.2)} | ${
      admin.rows.map((x) => `${x.size / 1000}k ${ms(x.booking.medianMs)}`).join(" · ")
    } |`,
    `| JavaScript shipped to /admin, gzipped | — | ≤ 20 KB | ${
      verdict(admin.js.gzipBytes <= 20_000)
    } | ${(admin.js.gzipBytes / 1000).toFixed(1)} KB gzipped (${
      (admin.js.rawBytes / 1000).toFixed(1)
    } KB raw, ${admin.js.files} files) |`,
  ];
}
