/**
 * main.ts with a clean exit on SIGTERM, so `deno run --cpu-prof` writes its profile:
 *   deno run -A --cpu-prof --cpu-prof-dir=.data/prof scripts/bench/profile_entry.ts
 */
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
await import("../../main.ts");
