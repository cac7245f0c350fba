import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import {
  type BookingFilters,
  type BookingListData,
  filtersToSearch,
} from "../lib/admin/booking_view.ts";
import { BookingFilterForm } from "../components/admin/BookingFilterForm.tsx";
import { BookingTable } from "../components/admin/BookingTable.tsx";

export interface BookingBrowserProps {
  initial: BookingListData;
}

type Connection = "connecting" | "live" | "reconnecting" | "closed";

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: "Connecting for live updates…",
  live: "Live: new bookings appear here as Cal.com sends them.",
  reconnecting: "Live updates interrupted; reconnecting…",
  closed: "Live updates stopped. Reload the page (you may need to sign in again).",
};
const TYPING_DELAY_MS = 250;

/**
 * The bookings list with its filters, search, paging and live updates. Server-rendered like
 * any page (and fully usable as a plain form without JavaScript); in the browser it filters
 * in place through `/admin/api/bookings` and refreshes when `/admin/api/events` says so.
 */
export default function BookingBrowser({ initial }: BookingBrowserProps) {
  const data = useSignal(initial);
  const filters = useSignal(initial.filters);
  const connection = useSignal<Connection>("connecting");
  const fresh = useSignal<ReadonlySet<string>>(new Set());
  const problem = useSignal("");
  const newer = useSignal(false);
  const sequence = useRef(0);
  const typing = useRef<ReturnType<typeof setTimeout>>();

  async function load(next: BookingFilters, cursor?: string, live = false) {
    const ask = ++sequence.current;
    const search = filtersToSearch(next, cursor);
    try {
      const res = await fetch(`/admin/api/bookings${search}`, {
        headers: { accept: "application/json" },
      });
      if (!res.ok) throw new Error(res.status === 401 ? "signed out" : `status ${res.status}`);
      const body = await res.json() as BookingListData;
      if (ask !== sequence.current) return;
      const before = new Set(data.value.rows.map((r) => r.uid));
      fresh.value = live
        ? new Set(body.rows.filter((r) => !before.has(r.uid)).map((r) => r.uid))
        : new Set();
      data.value = body;
      newer.value = false;
      problem.value = "";
      if (!live) history.replaceState(null, "", `/admin${search}`);
    } catch (error) {
      if (ask !== sequence.current) return;
      problem.value = `Could not load bookings (${(error as Error).message}). Try again or reload.`;
    }
  }

  function change(part: Partial<BookingFilters>) {
    filters.value = { ...filters.value, ...part };
    clearTimeout(typing.current);
    const delay = part.q !== undefined ? TYPING_DELAY_MS : 0;
    typing.current = setTimeout(() => load(filters.value), delay);
  }

  useEffect(() => {
    const events = new EventSource("/admin/api/events");
    events.onopen = () => connection.value = "live";
    events.onerror = () => {
      connection.value = events.readyState === EventSource.CLOSED ? "closed" : "reconnecting";
    };
    events.addEventListener("change", () => {
      if (data.value.paged) newer.value = true;
      else load(filters.value, undefined, true);
    });
    // An email changed status: refresh the first page's badges; later pages keep their place.
    events.addEventListener("delivery", () => {
      if (!data.value.paged) load(filters.value, undefined, true);
    });
    return () => events.close();
  }, []);

  const list = data.value;
  const filtered = filtersToSearch(list.filters) !== "";
  const page = (cursor?: string) => (event: Event) => {
    event.preventDefault();
    load(filters.value, cursor);
  };
  return (
    <section class="booking-browser" aria-labelledby="bookings-heading">
      <h1 id="bookings-heading">Bookings</h1>
      <BookingFilterForm
        filters={filters.value}
        counts={list.counts}
        eventTypes={list.eventTypes}
        onChange={change}
        onSubmit={(e) => {
          e.preventDefault();
          load(filters.value);
        }}
      />
      <p class="live" role="status">
        {CONNECTION_TEXT[connection.value]}{" "}
        {newer.value && <a href="/admin" onClick={page()}>Show newest</a>}
      </p>
      {problem.value && <p class="error" role="alert">{problem.value}</p>}
      <p class="summary">
        {list.total === 0 ? "No bookings yet." : `${list.total} bookings in all. `}
        {list.rows.length > 0 && `Showing ${list.rows.length}${filtered ? " that match" : ""}.`}
      </p>
      {list.rows.length > 0
        ? <BookingTable rows={list.rows} fresh={fresh.value} caption="Recent bookings" />
        : <EmptyState filtered={filtered} total={list.total} />}
      <nav class="pager" aria-label="Pages">
        {list.paged && (
          <a href={`/admin${filtersToSearch(list.filters)}`} onClick={page()}>Newest</a>
        )}
        {list.next && (
          <a
            href={`/admin${filtersToSearch(list.filters, list.next)}`}
            onClick={page(list.next)}
            rel="next"
          >
            {list.partial ? "Keep searching older bookings" : "Older bookings"}
          </a>
        )}
      </nav>
    </section>
  );
}

function EmptyState({ filtered, total }: { filtered: boolean; total: number }) {
  if (filtered) {
    return (
      <div class="empty">
        <p>No bookings match these filters on this page.</p>
        <p>
          Change the search or the filters, or <a href="/admin">clear them</a>.
        </p>
      </div>
    );
  }
  return (
    <div class="empty">
      <p>{total === 0 ? "No bookings have arrived yet." : "Nothing on this page."}</p>
      <p>
        Connect Cal.com on the <a href="/admin/webhooks">Webhooks page</a>{" "}
        (it shows the URL to paste into Cal.com and can send a test event). New bookings then appear
        here within seconds.
      </p>
    </div>
  );
}
