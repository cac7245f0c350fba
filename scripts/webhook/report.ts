/**
 * Human output of the sender: a pass/fail table, coloured only on a terminal and never when
 * `NO_COLOR` is set (https://no-color.org), so CI logs and pipes stay plain.
 * @module
 */
import type { CheckResult } from "./suite.ts";

export interface Paint {
  pass(text: string): string;
  fail(text: string): string;
  dim(text: string): string;
}

const plain: Paint = { pass: (t) => t, fail: (t) => t, dim: (t) => t };
const ansi: Paint = {
  pass: (t) => `\x1b[32m${t}\x1b[39m`,
  fail: (t) => `\x1b[31m${t}\x1b[39m`,
  dim: (t) => `\x1b[2m${t}\x1b[22m`,
};

/** Colour when writing to a terminal and `NO_COLOR` is unset or empty. */
export function paintFor(isTerminal: boolean, noColor: string | undefined): Paint {
  return isTerminal && !noColor ? ansi : plain;
}

export function stdoutPaint(): Paint {
  return paintFor(Deno.stdout.isTerminal(), Deno.env.get("NO_COLOR"));
}

/** Renders the checks as an aligned table with a closing count line. */
export function suiteTable(target: string, results: CheckResult[], paint: Paint): string {
  const rows = results.map((r) => [
    r.name,
    r.expected,
    r.status === null ? "error" : String(r.status),
    r.passed ? "PASS" : "FAIL",
    r.detail,
  ]);
  const header = ["CHECK", "EXPECTED", "GOT", "RESULT", "DETAIL"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => i === cells.length - 1 ? cell : cell.padEnd(widths[i])).join("  ")
      .trimEnd();
  const body = rows.map((row) => {
    const text = line(row);
    const result = row[3].padEnd(widths[3]);
    const coloured = row[3] === "PASS" ? paint.pass(result) : paint.fail(result);
    const start = widths.slice(0, 3).reduce((n, w) => n + w + 2, 0);
    return text.slice(0, start) + coloured + text.slice(start + widths[3]);
  });
  const failed = results.filter((r) => !r.passed).length;
  // Not "N passed, N failed": CI harnesses read that line as a test-runner summary.
  const total = failed
    ? `${failed} of ${results.length} checks FAILED`
    : `all ${results.length} checks passed`;
  return [
    paint.dim(`webhook suite against ${target}`),
    line(header),
    ...body,
    failed ? paint.fail(total) : paint.pass(total),
  ].join("\n");
}
