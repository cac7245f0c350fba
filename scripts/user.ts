/**
 * Staff accounts from the command line, against the configured KV (`KV_PATH`, or the local
 * default). The password is prompted for without echo, or read from stdin when it is not a
 * terminal or with `--password-stdin` (one line; a trailing newline is dropped).
 *
 *   deno task user:add <email> [--role admin|viewer] [--password-stdin]
 *   deno task user:reset <email> [--password-stdin]
 *
 * `reset` sets a new password, ends the account's sessions and clears its failed sign-ins.
 * @module
 */
import {
  AccountExistsError,
  createAccount,
  findAccountByEmail,
  isEmailAddress,
  isRole,
  normaliseEmail,
  type Role,
  setPassword,
} from "../lib/auth/accounts.ts";
import { passwordProblem } from "../lib/auth/passwords.ts";
import { clearAccountFailures } from "../lib/auth/throttle.ts";
import { configOrExit, openKv } from "../lib/startup.ts";

const USAGE = `usage:
  deno task user:add <email> [--role admin|viewer] [--password-stdin]
  deno task user:reset <email> [--password-stdin]`;

interface Command {
  action: "add" | "reset";
  email: string;
  role: Role;
  passwordFromStdin: boolean;
}

function fail(message: string, code = 1): never {
  console.error(message);
  Deno.exit(code);
}

function parseCommand(args: string[]): Command {
  const [action, ...rest] = args;
  if (action !== "add" && action !== "reset") fail(USAGE, 2);
  let email: string | undefined;
  let role: Role = "viewer";
  let passwordFromStdin = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--password-stdin") passwordFromStdin = true;
    else if (arg === "--role" || arg.startsWith("--role=")) {
      const value = arg === "--role" ? rest[++i] : arg.slice("--role=".length);
      if (!isRole(value)) fail(`--role must be admin or viewer\n${USAGE}`, 2);
      role = value;
    } else if (!arg.startsWith("--") && email === undefined) email = arg;
    else fail(`unexpected argument: ${arg}\n${USAGE}`, 2);
  }
  if (!email) fail(USAGE, 2);
  if (!isEmailAddress(normaliseEmail(email))) fail(`not an email address: ${email}`, 2);
  return { action, email, role, passwordFromStdin };
}

async function readStdinLine(): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  return text.replace(/\r?\n$/, "");
}

/** Reads a line from the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const encoder = new TextEncoder();
  await Deno.stdout.write(encoder.encode(question));
  Deno.stdin.setRaw(true);
  const typed: number[] = [];
  const buffer = new Uint8Array(1);
  try {
    while (true) {
      const n = await Deno.stdin.read(buffer);
      if (n === null || buffer[0] === 13 || buffer[0] === 10) break;
      if (buffer[0] === 3) fail("\ncancelled", 130); // Ctrl-C
      if (buffer[0] === 127 || buffer[0] === 8) typed.pop();
      else typed.push(buffer[0]);
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stdout.write(encoder.encode("\n"));
  }
  return new TextDecoder().decode(new Uint8Array(typed));
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !Deno.stdin.isTerminal()) return await readStdinLine();
  const password = await promptHidden("Password: ");
  const problem = passwordProblem(password);
  if (problem) fail(problem);
  if (await promptHidden("Repeat password: ") !== password) fail("The passwords differ.");
  return password;
}

async function main(args: string[]): Promise<void> {
  const command = parseCommand(args);
  const config = configOrExit();
  const kv = await openKv(config);
  try {
    const existing = await findAccountByEmail(kv, command.email);
    if (command.action === "add" && existing) fail(`An account for ${existing.email} exists.`);
    if (command.action === "reset" && !existing) fail(`No account for ${command.email}.`);
    const password = await readPassword(command.passwordFromStdin);
    const problem = passwordProblem(password);
    if (problem) fail(problem);
    if (command.action === "add") {
      const account = await createAccount(kv, { ...command, password });
      console.log(`Added ${account.email} (${account.role}).`);
    } else {
      const account = await setPassword(kv, existing!.id, password);
      await clearAccountFailures(kv, account.email);
      const note = account.disabled ? " The account is disabled; an admin can enable it." : "";
      console.log(`New password set for ${account.email}; its sessions have ended.${note}`);
    }
  } catch (error) {
    if (error instanceof AccountExistsError) fail(error.message);
    throw error;
  } finally {
    kv.close();
  }
}

if (import.meta.main) await main(Deno.args);
