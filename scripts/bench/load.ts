/**
 * Load from a separate process on loopback: `wrk` (Debian) with a Lua script feeding
 * pre-generated unique signed bodies, or, where wrk is missing, the pinned npm `autocannon`
 * run by a child Deno process. Both report requests/s and p50/p99 latency.
 * @module
 */
import { bookingEvent } from "../../tests/helpers/calcom.ts";
import { signCalcomBody } from "../../lib/calcom/signature.ts";

export interface LoadResult {
  tool: "wrk" | "autocannon";
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Non-2xx answers and socket errors. */
  errors: number;
  /** Times the body file ran out and bodies were sent again (duplicates). */
  wraps: number;
}

const LUA = new URL("./wrk_signed_bodies.lua", import.meta.url).pathname;
const AUTOCANNON_RUNNER = new URL("./autocannon_runner.ts", import.meta.url).pathname;

/** Writes `count` unique signed BOOKING_CREATED bodies, one per line: "<signature> <body>". */
export async function writeSignedBodies(path: string, count: number, secret: string) {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  let batch: string[] = [];
  for (let i = 0; i < count; i++) {
    const body = bookingEvent("BOOKING_CREATED");
    batch.push(`${await signCalcomBody(body, secret)} ${body}\n`);
    if (batch.length === 1000 || i === count - 1) {
      await file.write(encoder.encode(batch.join("")));
      batch = [];
    }
  }
  file.close();
}

export async function hasWrk(): Promise<boolean> {
  try {
    const out = await new Deno.Command("wrk", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.code === 0 || out.code === 1;
  } catch {
    return false;
  }
}

/** Runs one closed-loop load: `connections` clients for `seconds`, every request a new body. */
export async function runLoad(
  url: string,
  bodiesPath: string,
  connections: number,
  seconds: number,
  tool: "wrk" | "autocannon",
  /** Bodies already sent to this server: start after them, so every request is new. */
  offset = 0,
): Promise<LoadResult> {
  const command = tool === "wrk"
    ? new Deno.Command("wrk", {
      args: [
        "-t1",
        `-c${connections}`,
        `-d${seconds}s`,
        "--timeout",
        "10s",
        "-s",
        LUA,
        url,
        "--",
        bodiesPath,
        String(offset),
      ],
    })
    : new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        AUTOCANNON_RUNNER,
        url,
        bodiesPath,
        String(connections),
        String(seconds),
        String(offset),
      ],
    });
  const out = await command.output();
  const text = new TextDecoder().decode(out.stdout);
  const line = text.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (!line) {
    throw new Error(`${tool} gave no result:\n${text}\n${new TextDecoder().decode(out.stderr)}`);
  }
  const r = JSON.parse(line.slice("WRK_RESULT ".length));
  const errors = Object.values(r.errors as Record<string, number>).reduce((a, b) => a + b, 0);
  return {
    tool,
    connections,
    requestsPerSecond: r.requests / (r.durationUs / 1e6),
    p50Ms: r.p50Us / 1000,
    p99Ms: r.p99Us / 1000,
    requests: r.requests,
    errors,
    wraps: r.wraps,
  };
}
