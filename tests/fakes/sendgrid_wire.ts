/**
 * SendGrid's Mail Send seen at the wire: a raw HTTP/1.1 server on loopback that keeps every
 * connection alive (as api.sendgrid.com does) and can fail at the connection level, which
 * Deno.serve cannot: close before any response byte with the request body unread, close after
 * reading the whole request, or cut a 202 after its first body byte. One step per request;
 * after the script, every request is accepted. Each request is recorded with its connection.
 */

export type WireStep =
  | "accept"
  | "server_error"
  | "rate_limit"
  | "hang"
  | "drop_unread"
  | "drop_after_read"
  | "drop_mid_response";

export interface WireRequest {
  step: WireStep;
  /** Which TCP connection carried it (1, 2, ...), to tell a reused socket from a new one. */
  connection: number;
}

export interface WireSendgrid {
  url: string;
  apiKey: string;
  requests: WireRequest[];
  script(...steps: WireStep[]): void;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const HEAD_END = [13, 10, 13, 10];

function httpResponse(status: number, reason: string, headers: string[], body = ""): Uint8Array {
  const bytes = encoder.encode(body);
  const head = [`HTTP/1.1 ${status} ${reason}`, ...headers, `content-length: ${bytes.length}`];
  return encoder.encode(head.join("\r\n") + "\r\n\r\n" + body);
}

const ERROR_BODY = JSON.stringify({ errors: [{ message: "scripted", field: null, help: null }] });
const JSON_TYPE = "content-type: application/json";

/** What a step writes before the connection goes on (or is cut); null writes nothing. */
function reply(step: WireStep, messageId: string): Uint8Array | null {
  switch (step) {
    case "accept":
      return httpResponse(202, "Accepted", [`x-message-id: ${messageId}`]);
    case "server_error":
      return httpResponse(500, "Internal Server Error", [JSON_TYPE], ERROR_BODY);
    case "rate_limit":
      return httpResponse(429, "Too Many Requests", [JSON_TYPE, "retry-after: 60"], ERROR_BODY);
    case "drop_mid_response":
      return encoder.encode("HTTP/1.1 202 Accepted\r\ncontent-length: 100\r\n\r\n{");
    default:
      return null;
  }
}

function indexOfHeadEnd(buf: Uint8Array): number {
  outer: for (let i = 0; i + 4 <= buf.length; i++) {
    for (let j = 0; j < 4; j++) if (buf[i + j] !== HEAD_END[j]) continue outer;
    return i + 4;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export function startWireSendgrid(apiKey = "SG.fake-key"): WireSendgrid {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const queue: WireStep[] = [];
  const open = new Set<Deno.Conn>();
  const fake: WireSendgrid = {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    apiKey,
    requests: [],
    script: (...steps) => queue.push(...steps),
    close: async () => {
      listener.close();
      for (const conn of open) closeQuietly(conn);
      await accepting;
    },
  };
  let connections = 0;
  const serveConn = async (conn: Deno.Conn, connection: number) => {
    open.add(conn);
    try {
      let buffered: Uint8Array = new Uint8Array(0);
      // Small reads: a drop_unread step closes with the rest of the body still in the kernel.
      const chunk = new Uint8Array(512);
      const readMore = async () => {
        const n = await conn.read(chunk);
        if (n === null) return false;
        buffered = concat(buffered, chunk.subarray(0, n));
        return true;
      };
      while (true) {
        let headEnd: number;
        while ((headEnd = indexOfHeadEnd(buffered)) < 0) if (!(await readMore())) return;
        const head = new TextDecoder().decode(buffered.subarray(0, headEnd));
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        const step = queue.shift() ?? "accept";
        fake.requests.push({ step, connection });
        if (step === "drop_unread") return;
        while (buffered.length < headEnd + length) if (!(await readMore())) return;
        buffered = buffered.slice(headEnd + length);
        if (step === "drop_after_read") return;
        // Held until close(): the client's timeout gives up first.
        if (step === "hang") return await new Promise<void>(() => {});
        await conn.write(reply(step, `wire-msg-${fake.requests.length}`)!);
        if (step === "drop_mid_response") return;
      }
    } catch {
      // The client closed or reset the connection: nothing left to answer.
    } finally {
      open.delete(conn);
      closeQuietly(conn);
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) serveConn(conn, ++connections);
    } catch {
      // listener closed
    }
  })();
  return fake;
}

function closeQuietly(conn: Deno.Conn) {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
