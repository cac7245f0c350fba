/**
 * What route handlers know about the signed-in person and how they check a role. The admin
 * middleware fills `ctx.state`; a handler that needs more than `viewer` calls `requireRole`,
 * whose `ForbiddenError` the middleware answers with 403.
 * @module
 */
import type { Role } from "./accounts.ts";
import type { Session, SessionUser } from "./sessions.ts";

/** `ctx.state` under `/admin`. `user` is set on every route but login and set-up. */
export interface AdminState extends Record<string, unknown> {
  user?: SessionUser;
  session?: Session;
}

/** `ctx.state` on routes behind the guard, where a user is always present. */
export interface SignedInState extends AdminState {
  user: SessionUser;
  session: Session;
}

/** The role needed for an action is missing. Thrown by `requireRole`; answered with 403. */
export class ForbiddenError extends Error {
  constructor(public readonly needed: Role) {
    super(`This needs the ${needed} role.`);
  }
}

/** There is no signed-in user (a route reached without the guard); answered like the guard. */
export class UnauthenticatedError extends Error {
  constructor() {
    super("Sign in first.");
  }
}

const RANK: Record<Role, number> = { viewer: 1, admin: 2 };

/** Whether `user` may act as `role` (an admin may do everything a viewer may). */
export function hasRole(user: SessionUser | undefined, role: Role): boolean {
  return user !== undefined && RANK[user.role] >= RANK[role];
}

/**
 * The signed-in user when they have `role`.
 * @throws ForbiddenError when they don't; UnauthenticatedError without a user.
 * @example
 * export const handler: Handlers<unknown, AdminState> = {
 *   async POST(req, ctx) {
 *     requireRole(ctx, "admin");
 *     ...
 *   },
 * };
 */
export function requireRole(ctx: { state: AdminState }, role: Role): SessionUser {
  const { user } = ctx.state;
  if (!user) throw new UnauthenticatedError();
  if (!hasRole(user, role)) throw new ForbiddenError(role);
  return user;
}
