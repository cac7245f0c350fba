/** `GET /admin`: recent bookings with filters, search, paging and live updates. */
import type { Handlers, PageProps } from "$fresh/server.ts";
import BookingBrowser from "@/islands/BookingBrowser.tsx";
import { services } from "@/lib/app.ts";
import { loadBookingList } from "@/lib/admin/booking_list.ts";
import type { BookingListData } from "@/lib/admin/booking_view.ts";
import type { DashboardState } from "@/lib/admin/state.ts";

export const handler: Handlers<BookingListData, DashboardState> = {
  async GET(_req, ctx) {
    const { kv, config } = services();
    ctx.state.title = "Bookings";
    return ctx.render(await loadBookingList(kv, config, ctx.url.searchParams));
  },
};

export default function BookingsPage({ data }: PageProps<BookingListData, DashboardState>) {
  return <BookingBrowser initial={data} />;
}
