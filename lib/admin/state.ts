/**
 * What dashboard pages read from `ctx.state`: the session guard's `AdminState` (the signed-in
 * user) plus the page title that `_app.tsx` puts in `<title>`.
 * @module
 */
import type { AdminState } from "../auth/roles.ts";
import type { AlertBannerState } from "../alerts/banner.ts";

export interface DashboardState extends AdminState, AlertBannerState {
  title?: string;
}
