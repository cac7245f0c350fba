/** `GET /admin/outbox/[id]`: an email as sent (or as it will be): headers, HTML and text. */
import type { Handlers, PageProps } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import type { DashboardState } from "@/lib/admin/state.ts";
import type { OutgoingEmail } from "@/lib/email/types.ts";
import { previewDeliveryEmail } from "@/lib/outbox/admin.ts";

type OutboxPage = { id: string; email: OutgoingEmail; sent: boolean } | {
  id: string;
  error: string;
};

export const handler: Handlers<OutboxPage, DashboardState> = {
  async GET(_req, ctx) {
    const { kv, config } = services();
    const id = ctx.params.id;
    const preview = await previewDeliveryEmail(kv, config, id);
    if (!preview) return ctx.renderNotFound();
    ctx.state.title = "Email preview";
    return ctx.render({ id, ...preview });
  },
};

export default function OutboxPreview({ data }: PageProps<OutboxPage, DashboardState>) {
  if ("error" in data) {
    return (
      <>
        <h1>Email preview</h1>
        <p class="error">{`This email cannot be rendered: ${data.error}.`}</p>
      </>
    );
  }
  const { email, sent } = data;
  const bookingHref = `/admin/bookings/${encodeURIComponent(email.bookingUid)}`;
  return (
    <>
      <p>
        <a href={bookingHref}>← The booking</a>
      </p>
      <h1>{email.subject}</h1>
      <p class="notice">
        {sent
          ? "Exactly as it was handed to the mail transport."
          : "Not sent yet: this is how it will look when its first attempt runs."}
      </p>
      <dl class="facts card">
        <dt>From</dt>
        <dd>{email.from}</dd>
        <dt>To</dt>
        <dd>{email.to.join(", ")}</dd>
        {email.replyTo && (
          <>
            <dt>Reply-To</dt>
            <dd>
              {email.replyTo.name
                ? `${email.replyTo.name} <${email.replyTo.email}>`
                : email.replyTo.email}
            </dd>
          </>
        )}
        <dt>Subject</dt>
        <dd>{email.subject}</dd>
        {email.calendar && (
          <>
            <dt>Attachment</dt>
            <dd>
              {`${email.calendar.filename} (calendar ${email.calendar.method.toLowerCase()})`}
            </dd>
          </>
        )}
      </dl>
      <h2>HTML</h2>
      <iframe
        class="email-html"
        src={`/admin/outbox/${encodeURIComponent(data.id)}/html`}
        sandbox=""
        title={`HTML version of: ${email.subject}`}
        referrerpolicy="no-referrer"
      />
      <h2>Plain text</h2>
      <pre class="payload" tabIndex={0}>{email.text}</pre>
    </>
  );
}
