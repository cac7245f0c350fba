/**
 * The alerts an operator gets, with their thresholds and the words shown in the admin banner
 * and the alert message. Details carry counts and ids only, never personal data.
 * @module
 */

export type AlertKind = "email_dead" | "signature_spike" | "webhook_silence";
export const ALERT_KINDS: readonly AlertKind[] = [
  "email_dead",
  "signature_spike",
  "webhook_silence",
];

/** Signature failures within `SPIKE_WINDOW_MINUTES` that open a spike incident. */
export const SPIKE_THRESHOLD = 20;
export const SPIKE_WINDOW_MINUTES = 10;
/** A spike is over when the window holds fewer failures than this (no flapping at 19/20). */
export const SPIKE_RESOLVE_BELOW = 5;
/** A gap in the minute checks longer than this means the app was down: the silence restarts. */
export const HEARTBEAT_GAP_MS = 10 * 60_000;

export interface AlertDescription {
  title: string;
  /** What the operator should do, one sentence. */
  action: string;
}

export const ALERT_DESCRIPTIONS: Record<AlertKind, AlertDescription> = {
  email_dead: {
    title: "A staff email could not be delivered",
    action: "Open Admin → Emails (status dead), read the last error, fix SendGrid " +
      "(key, sender, quota) and retry the dead emails; the alert resolves when none is dead.",
  },
  signature_spike: {
    title: `${SPIKE_THRESHOLD}+ webhook signature failures within ${SPIKE_WINDOW_MINUTES} minutes`,
    action: "Check Admin → Webhooks: a rotated Cal.com secret not yet in " +
      "CALCOM_WEBHOOK_SECRET, or someone probing the endpoint.",
  },
  webhook_silence: {
    title: "No webhook from Cal.com for a while",
    action: "Check the webhook in Cal.com (URL, enabled, secret) and send a test event; " +
      "quiet days are possible, so compare with the calendar.",
  },
};
