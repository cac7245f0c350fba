/**
 * The users page's form posts, on top of lib/auth's accounts API: add a user, disable or enable
 * one, reset a password, change a role. Each returns what the page tells the admin.
 * @module
 */
import {
  AccountExistsError,
  AccountNotFoundError,
  createAccount,
  isEmailAddress,
  isRole,
  LastAdminError,
  normaliseEmail,
  setDisabled,
  setPassword,
  setRole,
} from "../auth/accounts.ts";
import { passwordProblem } from "../auth/passwords.ts";

export type UserActionResult =
  | { ok: true; notice: "added" | "reset" | "disabled" | "enabled" | "role" }
  | { ok: false; status: 400 | 404 | 409; message: string };

const bad = (message: string): UserActionResult => ({ ok: false, status: 400, message });

/** Runs the action a users-page form asked for (`action` field). */
export async function runUserAction(kv: Deno.Kv, form: URLSearchParams): Promise<UserActionResult> {
  const id = form.get("id") ?? "";
  const password = form.get("password") ?? "";
  try {
    switch (form.get("action")) {
      case "add": {
        const email = normaliseEmail(form.get("email") ?? "");
        const role = form.get("role");
        if (!isEmailAddress(email)) return bad("Enter the new user's email address.");
        if (!isRole(role)) return bad("Choose a role: admin or viewer.");
        const problem = passwordProblem(password);
        if (problem) return bad(problem);
        await createAccount(kv, { email, password, role });
        return { ok: true, notice: "added" };
      }
      case "reset": {
        const problem = passwordProblem(password);
        if (problem) return bad(problem);
        await setPassword(kv, id, password);
        return { ok: true, notice: "reset" };
      }
      case "disable":
      case "enable": {
        const disable = form.get("action") === "disable";
        await setDisabled(kv, id, disable);
        return { ok: true, notice: disable ? "disabled" : "enabled" };
      }
      case "role": {
        const role = form.get("role");
        if (!isRole(role)) return bad("Choose a role: admin or viewer.");
        await setRole(kv, id, role);
        return { ok: true, notice: "role" };
      }
      default:
        return bad("Unknown action.");
    }
  } catch (error) {
    if (error instanceof AccountExistsError) {
      return { ok: false, status: 409, message: error.message };
    }
    if (error instanceof LastAdminError) return { ok: false, status: 409, message: error.message };
    if (error instanceof AccountNotFoundError) {
      return { ok: false, status: 404, message: error.message };
    }
    throw error;
  }
}
