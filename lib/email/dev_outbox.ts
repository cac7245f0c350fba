/**
 * The dev outbox: with no `SENDGRID_API_KEY`, emails are not sent anywhere. The rendered email is
 * already stored with its delivery (what the admin previews), so "sending" only marks it
 * delivered, the way the email would have looked.
 * @module
 */
import type { EmailTransport, OutgoingEmail, SendResult } from "./types.ts";

export function createDevOutboxTransport(): EmailTransport {
  return {
    name: "dev-outbox",
    send(email: OutgoingEmail): Promise<SendResult> {
      return Promise.resolve({
        ok: true,
        httpStatus: 200,
        messageId: `dev-${email.deliveryId}`,
        delivered: true,
      });
    },
  };
}
