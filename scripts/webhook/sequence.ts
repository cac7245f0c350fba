/**
 * `--sequence`: the life of one booking as Cal.com reports it — created, rescheduled (a new uid
 * pointing back at the old one), then the new booking cancelled — so the projection, the
 * reschedule links and the three staff emails can be watched in the admin.
 * @module
 */
import type { Trigger } from "@/lib/calcom/schema.ts";
import type { Booking } from "./booking_payload.ts";
import { newBooking } from "./booking_payload.ts";
import { bytesOf, postWebhook, type Signing, type WebhookAnswer } from "./deliver.ts";
import { buildDelivery } from "./templates.ts";

export interface SequenceStep {
  trigger: Trigger;
  bookingUid: string;
  answer: WebhookAnswer;
}

export interface SequenceOptions {
  endpoint: URL;
  signing: Signing;
  uid?: string;
  contentType?: string;
  webhookVersion?: string;
}

const STEPS: Trigger[] = ["BOOKING_CREATED", "BOOKING_RESCHEDULED", "BOOKING_CANCELLED"];

/**
 * Sends the three events in order, each createdAt a little later than the one before so the
 * receiver orders them as Cal.com would have. Stops at the first non-2xx answer.
 */
export async function runSequence(
  options: SequenceOptions,
  onStep: (step: SequenceStep) => void = () => {},
): Promise<SequenceStep[]> {
  const start = Date.now();
  let booking: Booking = newBooking(new Date(start), options.uid);
  const steps: SequenceStep[] = [];
  for (const [i, trigger] of STEPS.entries()) {
    const delivery = buildDelivery(trigger, { booking, now: new Date(start + i * 1000) });
    booking = delivery.booking;
    const answer = await postWebhook({
      endpoint: options.endpoint,
      body: bytesOf(delivery.body),
      signing: options.signing,
      contentType: options.contentType,
      webhookVersion: options.webhookVersion,
    });
    const step = { trigger, bookingUid: booking.uid, answer };
    steps.push(step);
    onStep(step);
    if (answer.status < 200 || answer.status >= 300) break;
  }
  return steps;
}
