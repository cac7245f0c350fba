/** `GET /admin/api/events`: Server-Sent Events, one `change` per accepted webhook. */
import type { Handlers } from "$fresh/server.ts";
import { services } from "@/lib/app.ts";
import { changeStream } from "@/lib/admin/change_stream.ts";

export const handler: Handlers = {
  GET(req) {
    return changeStream(services().kv, req.signal);
  },
};
