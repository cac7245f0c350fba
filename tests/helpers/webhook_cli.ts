/**
 * Peers for the webhook sender's tests: the real app as a subprocess (`main.ts` on a free port
 * with its own KV file), the CLI as a subprocess, and a capture server that records the exact
 * bytes and headers it receives.
 */
const ROOT = new URL("../../", import.meta.url);
const decoder = new TextDecoder();

/** Only what Deno needs to find its cache: nothing from the caller's app configuration leaks. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { DENO_NO_UPDATE_CHECK: "1" };
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export interface RunningApp {
  origin: string;
  port: number;
  kvPath: string;
  close(): Promise<void>;
}

/** Starts `main.ts` on a free port; resolves once it prints its listening line. */
export async function startRealApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const dir = await Deno.makeTempDir({ prefix: "webhook-send-app-" });
  const kvPath = `${dir}/kv.sqlite3`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: { ...baseEnv(), PORT: "0", KV_PATH: kvPath, ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let port = 0;
  while (!port) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`main.ts exited before listening:\n${seen}\n${await stderr}`);
    seen += value;
    port = Number(/listening on http:\/\/localhost:(\d+)/.exec(seen)?.[1] ?? 0);
  }
  // Keep draining stdout so the app never blocks on a full pipe.
  const drained = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  return {
    origin: `http://localhost:${port}`,
    port,
    kvPath,
    async close() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
      await stderr;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `scripts/webhook_send.ts` with `args`, in a clean environment plus `env`. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/webhook_send.ts", ...args],
    cwd: ROOT,
    clearEnv: true,
    env: { ...baseEnv(), ...env },
    stdin: "null",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

export interface CapturedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
}

export interface CaptureServer {
  origin: string;
  requests: CapturedRequest[];
  /** The status the next answers carry. */
  status: number;
  close(): Promise<void>;
}

/** A stand-in receiver that keeps every request's exact bytes and answers `{ok:true}`. */
export function startCaptureServer(): CaptureServer {
  const requests: CapturedRequest[] = [];
  const capture: CaptureServer = {
    origin: "",
    requests,
    status: 200,
    close: async () => {
      await server.shutdown();
    },
  };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const body = new Uint8Array(await req.arrayBuffer());
    requests.push({
      method: req.method,
      path: new URL(req.url).pathname,
      headers: req.headers,
      body,
    });
    return Response.json({ ok: capture.status < 300 }, { status: capture.status });
  });
  capture.origin = `http://127.0.0.1:${server.addr.port}`;
  return capture;
}

/** Lowercase hex HMAC-SHA256 computed here with WebCrypto, independent of lib/calcom. */
export async function independentHmacHex(secret: string, bytes: Uint8Array<ArrayBuffer>) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, bytes));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}
