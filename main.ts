/**
 * Start-up: configuration → KV → services → dispatchers and cron → HTTP server.
 * `deno task start` runs a complete local instance on embedded defaults.
 */
import { createHandler } from "$fresh/server.ts";
import manifest from "./fresh.gen.ts";
import { initServices } from "./lib/app.ts";
import { bootstrapFirstAdmin, describeBootstrap } from "./lib/auth/setup.ts";
import { configOrExit, openKv, prepareServices } from "./lib/startup.ts";
import { runDeliveriesSweep, startDispatch, warmUpDispatch } from "./lib/outbox/mod.ts";
import { runAlertChecks } from "./lib/alerts/mod.ts";
import { initObservability, monitored } from "./lib/observability/mod.ts";

// Top level, before any await: Deno Deploy registers crons when the module loads. The callback
// waits for the dispatcher that startDispatch installs below.
Deno.cron(
  "deliveries-sweep",
  "* * * * *",
  monitored("cron", "deliveries-sweep", runDeliveriesSweep),
);
Deno.cron("alert-checks", "* * * * *", monitored("cron", "alert-checks", runAlertChecks));

const config = configOrExit();
await initObservability(config);
const kv = await openKv(config);
const { services, generatedSecret } = await prepareServices(config, kv);
initServices(services);
// No account yet: the first admin comes from ADMIN_EMAIL/ADMIN_PASSWORD or a printed set-up link.
const adminBootstrap = describeBootstrap(await bootstrapFirstAdmin(kv, config));
if (adminBootstrap) console.log(adminBootstrap);
startDispatch(services);

const handler = await createHandler(manifest);
Deno.serve({
  port: config.port,
  onListen({ port }) {
    warmUpDispatch(); // email modules load after listening, off the cold-start path
    const url = `http://localhost:${port}`;
    const sender = `${port === 8000 ? "" : `PORT=${port} `}deno task webhook:send --env local`;
    console.log(
      `calcom-webhook listening on ${url} · KV ${config.kvPath ?? "(Deno Deploy database)"} · ` +
        `queue mode ${config.queueMode} · send a test event: ${sender} --event PING`,
    );
    if (generatedSecret) {
      console.log(
        `Webhook URL for Cal.com: ${config.publicUrl}/api/calcom-webhook · local secret ` +
          `(${
            generatedSecret.created ? "generated now" : "kept in KV"
          }): ${generatedSecret.secret}`,
      );
    }
  },
}, handler);
