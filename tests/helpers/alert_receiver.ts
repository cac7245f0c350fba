/** A local alert receiver (Slack-style incoming webhook) that can fail on purpose. */

export interface ReceivedNotice {
  text: string;
  alert: string;
  state: "opened" | "resolved";
  incident: string;
  detail: string;
}

export interface AlertReceiver {
  url: string;
  /** Notices answered 200, in arrival order. */
  notices: ReceivedNotice[];
  /** Every request, including the ones answered with an error. */
  requests: number;
  /** The next `n` requests get `status` (default 500). */
  failNext(n: number, status?: number): void;
  close(): Promise<void>;
}

export function startAlertReceiver(): AlertReceiver {
  let failures = 0;
  let failStatus = 500;
  const receiver: AlertReceiver = {
    url: "",
    notices: [],
    requests: 0,
    failNext(n, status = 500) {
      failures = n;
      failStatus = status;
    },
    close: () => server.shutdown(),
  };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    receiver.requests++;
    const body = await req.json();
    if (failures > 0) {
      failures--;
      return new Response("try later", { status: failStatus });
    }
    if (req.headers.get("content-type") !== "application/json") {
      return new Response("bad content type", { status: 400 });
    }
    receiver.notices.push(body);
    return new Response("ok");
  });
  receiver.url = `http://127.0.0.1:${server.addr.port}/hooks/alert`;
  return receiver;
}
