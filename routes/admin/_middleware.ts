/** Every request under /admin passes the guard: Origin check, session, security headers. */
export { adminGuard as handler } from "@/lib/auth/guard.ts";
