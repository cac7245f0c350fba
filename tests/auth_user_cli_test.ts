/** `deno task user:add` / `user:reset` against a real KV file, as an operator runs them. */
import assert from "node:assert/strict";
import { findAccountByEmail } from "@/lib/auth/accounts.ts";
import { authenticate, startSession } from "@/lib/auth/sessions.ts";
import { verifyPassword } from "@/lib/auth/passwords.ts";

const ROOT = new URL("../", import.meta.url);

async function userCli(kvPath: string, args: string[], stdin: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/user.ts", ...args],
    cwd: ROOT,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      ...(Deno.env.has("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      KV_PATH: kvPath,
      NO_COLOR: "1",
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, out: decode(stdout), err: decode(stderr) };
}

Deno.test("[auth] user CLI: add and reset against the configured KV", async (t) => {
  const dir = await Deno.makeTempDir();
  const kvPath = `${dir}/kv.sqlite3`;
  try {
    await t.step("add a viewer with --password-stdin", async () => {
      const result = await userCli(
        kvPath,
        ["add", "Ops@Example.com", "--role", "viewer", "--password-stdin"],
        "first password 123\n",
      );
      assert.equal(result.code, 0, result.err);
      assert.match(result.out, /Added ops@example\.com \(viewer\)/);
      assert.doesNotMatch(result.out + result.err, /first password/);
    });

    await t.step("adding the same email again fails", async () => {
      const result = await userCli(kvPath, ["add", "ops@example.com"], "another password 1\n");
      assert.equal(result.code, 1);
      assert.match(result.err, /exists/);
    });

    await t.step("a weak password or bad arguments are refused", async () => {
      const weak = await userCli(kvPath, ["add", "new@example.com", "--password-stdin"], "short\n");
      assert.equal(weak.code, 1);
      assert.match(weak.err, /at least 12 characters/);
      const role = await userCli(kvPath, ["add", "new@example.com", "--role", "owner"], "");
      assert.equal(role.code, 2);
      assert.match(role.err, /--role must be admin or viewer/);
      const usage = await userCli(kvPath, ["remove", "new@example.com"], "");
      assert.equal(usage.code, 2);
      assert.match(usage.err, /usage:/);
    });

    let token = "";
    await t.step("the account is there, with a session to end later", async () => {
      const kv = await Deno.openKv(kvPath);
      try {
        const account = await findAccountByEmail(kv, "ops@example.com");
        assert.equal(account?.role, "viewer");
        assert.equal(await verifyPassword("first password 123", account!.password), true);
        token = (await startSession(kv, account!.id, Date.now() - 1000)).token;
      } finally {
        kv.close();
      }
    });

    await t.step("reset sets a new password and ends sessions", async () => {
      const result = await userCli(kvPath, ["reset", "OPS@example.com"], "second password 456\n");
      assert.equal(result.code, 0, result.err);
      assert.match(result.out, /New password set for ops@example\.com/);
      const kv = await Deno.openKv(kvPath);
      try {
        const account = await findAccountByEmail(kv, "ops@example.com");
        assert.equal(await verifyPassword("second password 456", account!.password), true);
        assert.equal(await verifyPassword("first password 123", account!.password), false);
        assert.equal(await authenticate(kv, token), null);
      } finally {
        kv.close();
      }
    });

    await t.step("reset of an unknown account fails", async () => {
      const result = await userCli(kvPath, ["reset", "nobody@example.com"], "whatever password\n");
      assert.equal(result.code, 1);
      assert.match(result.err, /No account/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
