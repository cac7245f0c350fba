/**
 * Audits a captured test run: `deno task test 2>&1 | tee out.log` then
 * `deno run -A scripts/scan_logs.ts out.log`. Exits 1 when any JSON log line holds an email
 * address, a token, or personal text from the Cal.com fixtures; prints line numbers and
 * kinds only, so the audit itself leaks nothing.
 */
import { personalStrings, scanLogText } from "../lib/observability/log_scan.ts";
import { TEST_SECRET } from "../tests/helpers/calcom.ts";
import { TEST_PASSWORD } from "../tests/helpers/admin.ts";

const file = Deno.args[0];
if (!file) {
  console.error("usage: deno run -A scripts/scan_logs.ts <captured test output>");
  Deno.exit(2);
}
const forbidden = new Set<string>([TEST_SECRET, TEST_PASSWORD]);
const fixtures = new URL("../tests/fixtures/calcom/", import.meta.url);
for await (const entry of Deno.readDir(fixtures)) {
  if (!entry.name.endsWith(".json")) continue;
  const json = JSON.parse(await Deno.readTextFile(new URL(entry.name, fixtures)));
  personalStrings(json, forbidden);
}
const text = await Deno.readTextFile(file);
const lines = text.split("\n").filter((l) => l.includes('{"time":"')).length;
const findings = scanLogText(text, [...forbidden]);
for (const f of findings.slice(0, 50)) console.error(`${file}:${f.line}: ${f.kind}`);
console.log(
  `log scan: ${lines} log lines checked against ${forbidden.size} known strings, ` +
    `${findings.length} findings`,
);
if (findings.length > 0) Deno.exit(1);
