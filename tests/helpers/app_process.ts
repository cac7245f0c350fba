/**
 * The real app as a separate process (`deno run -A main.ts`), for what only a process shows:
 * resident memory, SIGKILL and restart on the same KV file, and every log line it writes.
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

export interface AppProcess {
  url: string;
  port: number;
  pid: number;
  /** Every line the process wrote to stdout and stderr, in arrival order. */
  logs: string[];
  /** Current and peak resident memory (KiB) from /proc, 0 when unavailable. */
  memory(): { rssKiB: number; peakKiB: number };
  /** Sends a signal and waits for the exit. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
  exited: Promise<Deno.CommandStatus>;
}

export interface AppProcessOptions {
  env: Record<string, string>;
  /** Fixed port (a restarted app keeps its address); default: a free one. */
  port?: number;
  /** Extra `deno run` flags, e.g. `--cpu-prof`. */
  denoFlags?: string[];
  /** Where collected log lines go (shared across restarts). */
  logs?: string[];
  /** Keep log lines? A long soak only needs the count. */
  keepLogs?: boolean;
  /** Module to run instead of main.ts (a benchmark baseline), relative to the repo root. */
  entry?: string;
}

/** A port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    const lines = (rest + decoder.decode(bytes, { stream: true })).split("\n");
    rest = lines.pop()!;
    for (const line of lines) onLine(line);
  }
  if (rest) onLine(rest);
}

function procStatus(pid: number): { rssKiB: number; peakKiB: number } {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = (field: string) =>
      Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0);
    return { rssKiB: kib("VmRSS"), peakKiB: kib("VmHWM") };
  } catch {
    return { rssKiB: 0, peakKiB: 0 };
  }
}

/** Starts main.ts (or `entry`) and resolves once it listens (or rejects with its output if it exits). */
export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const port = options.port ?? freePort();
  const logs = options.logs ?? [];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(options.denoFlags ?? []), options.entry ?? "main.ts"],
    cwd: ROOT,
    env: { LOG_LEVEL: "info", ...options.env, PORT: String(port) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let listening: () => void;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const onLine = (line: string) => {
    if (options.keepLogs !== false) logs.push(line);
    if (line.includes("listening on http://")) listening();
  };
  const pumps = Promise.all([pump(child.stdout, onLine), pump(child.stderr, onLine)]);
  const exited = child.status.then(async (status) => {
    await pumps.catch(() => {});
    return status;
  });
  const early = exited.then((s) => {
    throw new Error(`app exited (${s.code}) before listening:\n${logs.slice(-20).join("\n")}`);
  });
  await Promise.race([ready, early]);
  early.catch(() => {});
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    logs,
    memory: () => procStatus(child.pid),
    exited,
    stop: async (signal = "SIGTERM") => {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      return await exited;
    },
  };
}
