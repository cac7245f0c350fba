/** `GET /admin/api/bookings?…`: the bookings list as JSON, for the dashboard island. */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { loadBookingList } from "@/lib/admin/booking_list.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    const { kv, config } = services();
    return Response.json(await loadBookingList(kv, config, ctx.url.searchParams));
  },
};
