/** Results of a form post, told by the page it redirected to (`?resend=`, `?retried=`, …). */
const MESSAGES: Record<string, (value: string) => string | undefined> = {
  resend: (v) =>
    v === "queued"
      ? "The email is queued for a new attempt; its status below updates as it goes."
      : v === "in_flight"
      ? "That email is being sent right now; try again in a minute."
      : undefined,
  retried: (v) => `${Number(v) || 0} dead email(s) queued for a new attempt.`,
  test: (v) =>
    v === "ok"
      ? "Test event sent and accepted: it is listed below."
      : `The test event was not accepted (${v.replace(/[^\w ]/g, "").slice(0, 40)}).`,
  user: (v) => USER_MESSAGES[v],
};

const USER_MESSAGES: Record<string, string> = {
  added: "User added. Give them their password through a safe channel.",
  reset: "Password reset. Their other sessions were signed out.",
  disabled: "User disabled and signed out.",
  enabled: "User enabled.",
};

export function Notice({ url }: { url: URL }) {
  for (const [name, message] of Object.entries(MESSAGES)) {
    const value = url.searchParams.get(name);
    const text = value === null ? undefined : message(value);
    if (text) return <p class="notice" role="status">{text}</p>;
  }
  return null;
}
