/**
 * What must never escape: booker-typed markup into HTML unescaped, and secrets, email addresses
 * or booker text into log lines. Shared by the security tests and the soak.
 * @module
 */

/** Text a booker (or a Cal.com user) can type, each an attack of its own kind. */
export const HOSTILE_TEXT = {
  script: '<script>alert("xss-1")</script>',
  attribute: '"><img src=x onerror=alert("xss-2")>',
  closeScript: '</script><script>alert("xss-3")</script>\u2028',
  javascriptUrl: 'javascript:alert("xss-4")',
  svg: '<svg/onload=alert("xss-5")>',
  headerInjection: "Eve Attacker\r\nBcc: attacker@evil.test\r\nSubject: <b>xss-6</b>",
} as const;

/** Markup that would run if the hostile text had been written into HTML unescaped. */
export function unsafeHtml(html: string): string[] {
  const patterns: [string, RegExp][] = [
    ["script tag from the payload", /<script>alert\(/i],
    ["img tag from the payload", /<img src=x/i],
    ["svg tag from the payload", /<svg\/onload/i],
    ["event handler attribute", /<[a-z][^>]*\sonerror=alert/i],
    ["javascript: URL in a link", /(href|src|action)\s*=\s*["']?\s*javascript:/i],
    ["bold tag from the payload", /<b>xss-6/i],
  ];
  return patterns.filter(([, re]) => re.test(html)).map(([what]) => what);
}

const EMAIL_ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
/** Names and text from the fixtures and the hostile bookings. */
const BOOKER_TEXT = ["Guest User", "Organizer Name", "Eve Attacker", "xss-", "alert("];

/** Every log line that carries a secret, an email address or booker text, with the reason. */
export function leaksIn(lines: readonly string[], secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const line of lines) {
    const reasons = [
      ...secrets.filter((s) => s && line.includes(s)).map(() => "a secret"),
      ...(EMAIL_ADDRESS.test(line) ? [`an email address (${line.match(EMAIL_ADDRESS)![0]})`] : []),
      ...BOOKER_TEXT.filter((t) => line.includes(t)).map((t) => `booker text "${t}"`),
    ];
    if (reasons.length) found.push(`${reasons.join(", ")}: ${line.slice(0, 300)}`);
  }
  return found;
}
