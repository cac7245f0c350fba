import assert from "node:assert/strict";
import fc from "fast-check";
import { BodyTooLargeError, readBodyCapped } from "@/lib/calcom/body.ts";

/** A request whose body arrives in the given chunks, optionally with a lying Content-Length. */
function chunkedRequest(chunks: Uint8Array[], contentLength?: string): Request {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
  });
  const headers = contentLength === undefined ? undefined : { "content-length": contentLength };
  return new Request("http://localhost/", { method: "POST", body, headers });
}

const chunks = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 });

Deno.test("[body] property: within the cap, the exact bytes come back whatever the chunking", async () => {
  await fc.assert(
    fc.asyncProperty(chunks, fc.option(fc.nat({ max: 10_000 })), async (parts, claimed) => {
      const expected = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        expected.set(p, offset);
        offset += p.length;
      }
      const limit = expected.length + 10;
      // A Content-Length that lies low must not matter; only one that claims over the cap does.
      const header = claimed === null ? undefined : String(Math.min(claimed, limit));
      const body = await readBodyCapped(chunkedRequest(parts, header), limit);
      assert.deepEqual(body, expected);
    }),
    { numRuns: 300 },
  );
});

Deno.test("[body] property: over the cap is refused without reading much past it", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 2000 }),
      fc.integer({ min: 1, max: 500 }),
      async (limit, chunk) => {
        let pulled = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled += chunk;
            controller.enqueue(new Uint8Array(chunk));
          },
        });
        const req = new Request("http://localhost/", { method: "POST", body });
        await assert.rejects(readBodyCapped(req, limit), BodyTooLargeError);
        // at most one chunk beyond the cap, plus the stream's own read-ahead of one chunk
        assert.ok(pulled <= limit + 2 * chunk, `pulled ${pulled} for limit ${limit}`);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("[body] a Content-Length over the cap is refused before reading", async () => {
  let pulled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled = true;
      controller.close();
    },
  });
  const req = new Request("http://localhost/", {
    method: "POST",
    body,
    headers: { "content-length": "2000" },
  });
  await assert.rejects(readBodyCapped(req, 1000), BodyTooLargeError);
  assert.equal(pulled, false);
});

Deno.test("[body] no body reads as empty", async () => {
  const body = await readBodyCapped(new Request("http://localhost/", { method: "POST" }), 10);
  assert.equal(body.byteLength, 0);
});
