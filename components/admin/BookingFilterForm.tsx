import type { BookingFilters, StatusCount } from "../../lib/admin/booking_view.ts";

export interface BookingFilterFormProps {
  filters: BookingFilters;
  counts: StatusCount[];
  eventTypes: string[];
  /** Called as the user types or picks; absent on the server (the form then submits). */
  onChange?: (change: Partial<BookingFilters>) => void;
  onSubmit?: (event: Event) => void;
}

const value = (event: Event) => (event.currentTarget as HTMLInputElement).value;

/**
 * The filters as a plain GET form: without JavaScript it reloads `/admin` with the query; the
 * island passes handlers that filter in place instead.
 */
export function BookingFilterForm(props: BookingFilterFormProps) {
  const { filters, counts, eventTypes, onChange } = props;
  const types = filters.type && !eventTypes.includes(filters.type)
    ? [...eventTypes, filters.type]
    : eventTypes;
  return (
    <form class="filters" method="get" action="/admin" role="search" onSubmit={props.onSubmit}>
      <div class="field field-search">
        <label for="booking-q">Search</label>
        <input
          id="booking-q"
          type="search"
          name="q"
          value={filters.q}
          placeholder="Attendee name or email, title"
          autoComplete="off"
          onInput={(e) => onChange?.({ q: value(e) })}
        />
      </div>
      <div class="field">
        <label for="booking-status">Status</label>
        <select
          id="booking-status"
          name="status"
          value={filters.status}
          onChange={(e) => onChange?.({ status: value(e) })}
        >
          <option value="">All statuses</option>
          {counts.map((c) => (
            <option key={c.status} value={c.status}>{`${c.label} (${c.count})`}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="booking-type">Event type</label>
        <select
          id="booking-type"
          name="type"
          value={filters.type}
          onChange={(e) => onChange?.({ type: value(e) })}
        >
          <option value="">All event types</option>
          {types.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </div>
      <div class="field">
        <label for="booking-from">Starts from</label>
        <input
          id="booking-from"
          type="date"
          name="from"
          value={filters.from}
          onChange={(e) => onChange?.({ from: value(e) })}
        />
      </div>
      <div class="field">
        <label for="booking-to">Starts until</label>
        <input
          id="booking-to"
          type="date"
          name="to"
          value={filters.to}
          onChange={(e) => onChange?.({ to: value(e) })}
        />
      </div>
      <div class="field field-check">
        <input
          id="booking-problem"
          type="checkbox"
          name="problem"
          value="1"
          checked={filters.problem}
          onChange={(e) => onChange?.({ problem: (e.currentTarget as HTMLInputElement).checked })}
        />
        <label for="booking-problem">Only bookings with email problems</label>
      </div>
      <div class="field field-actions">
        <button type="submit">Apply filters</button>
        <a href="/admin" class="button-link">Clear</a>
      </div>
    </form>
  );
}
