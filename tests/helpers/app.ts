/** The real app in-process: real handler from the manifest, real KV (`:memory:` or a file). */
import { createHandler } from "$fresh/server.ts";
import manifest from "@/fresh.gen.ts";
import { initServices, type Services } from "@/lib/app.ts";
import { loadConfig } from "@/lib/config.ts";
import { prepareServices } from "@/lib/startup.ts";
import { TEST_SECRET } from "./calcom.ts";

export interface TestApp {
  services: Services;
  kv: Deno.Kv;
  /** Sends a request through the app as if from 127.0.0.1 (or the client address given). */
  request(req: Request, clientIp?: string): Promise<Response>;
  /** Shorthand for a path on the app. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): void;
}

const TCP: Deno.NetAddr = { transport: "tcp", hostname: "127.0.0.1", port: 40000 };
const CLIENT: Deno.ServeHandlerInfo = { remoteAddr: TCP, completed: Promise.resolve() };

/** Starts an app with test defaults; `env` overrides any variable. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const result = loadConfig({
    KV_PATH: ":memory:",
    CALCOM_WEBHOOK_SECRET: TEST_SECRET,
    QUEUE_MODE: "cron",
    ...env,
  });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  const kv = await Deno.openKv(result.config.kvPath);
  const { services } = await prepareServices(result.config, kv);
  initServices(services);
  const handler = await createHandler(manifest);
  const request = (req: Request, clientIp?: string) =>
    handler(req, clientIp ? { ...CLIENT, remoteAddr: { ...TCP, hostname: clientIp } } : CLIENT);
  return {
    services,
    kv,
    request,
    fetch: (path, init) => request(new Request(new URL(path, "http://localhost"), init)),
    close: () => kv.close(),
  };
}
