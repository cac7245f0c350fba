/**
 * Every request under /admin passes the guard: Origin check, session, security headers; pages
 * then get the open alerts for the banner.
 */
import { adminGuard } from "@/lib/auth/guard.ts";
import { loadAlertBanner } from "@/lib/alerts/banner.ts";

export const handler = [adminGuard, loadAlertBanner];
