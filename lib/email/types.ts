/**
 * The email handed to a transport: everything rendered, addresses resolved. Stored as-is per
 * delivery (lib/store/delivery_emails.ts), so a preview shows exactly what was sent.
 * @module
 */

export interface Address {
  email: string;
  name?: string;
}

export interface CalendarAttachment {
  filename: string;
  method: "REQUEST" | "CANCEL";
  /** The .ics text (CRLF lines). */
  content: string;
}

export interface OutgoingEmail {
  deliveryId: string;
  /** The booking the email is about (for a reschedule, the new booking). */
  bookingUid: string;
  trigger: string;
  from: string;
  to: string[];
  replyTo?: Address;
  subject: string;
  text: string;
  html: string;
  calendar?: CalendarAttachment;
  categories: string[];
  /** SendGrid custom_args: ids only, never personal data. */
  customArgs: { delivery_id: string; booking_uid: string };
}

/** What a transport reports about one attempt. */
export type SendResult =
  | {
    ok: true;
    httpStatus: number;
    messageId?: string;
    /** The transport already delivered it (dev outbox): no provider events will follow. */
    delivered?: boolean;
  }
  | {
    ok: false;
    /** 400/401/403/413 and other 4xx: retrying cannot help. */
    permanent: boolean;
    httpStatus?: number;
    error: string;
    /** From `Retry-After` / `X-RateLimit-Reset` on a 429. */
    retryAfterMs?: number;
  };

export interface EmailTransport {
  readonly name: "sendgrid" | "dev-outbox";
  send(email: OutgoingEmail): Promise<SendResult>;
  /** Loads what the first send needs ahead of time (start-up warm-up); optional. */
  prepare?(): Promise<void>;
}
