import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeSignatureHeader,
  signCalcomBody,
  verifyCalcomSignature,
} from "@/lib/calcom/signature.ts";

/** An independent HMAC, as Cal.com computes it: createHmac("sha256", secret).update(body).digest("hex"). */
async function referenceHex(secret: string, body: Uint8Array<ArrayBuffer>): Promise<string> {
  const { createHmac } = await import("node:crypto");
  return createHmac("sha256", secret).update(body).digest("hex");
}

const bytes = fc.uint8Array({ maxLength: 4096 }).map((b) => new Uint8Array(b));
const secret = fc.string({ minLength: 1, maxLength: 64 });

Deno.test("[signature] property: Cal.com's hex HMAC of the exact bytes verifies", async () => {
  await fc.assert(
    fc.asyncProperty(bytes, secret, async (body, s) => {
      const hex = await referenceHex(s, body);
      assert.equal(await signCalcomBody(body, s), hex);
      assert.equal(await verifyCalcomSignature(body, hex, [s]), true);
      assert.equal(await verifyCalcomSignature(body, `sha256=${hex}`, [s]), true);
      assert.equal(await verifyCalcomSignature(body, hex, ["other", s]), true);
    }),
    { numRuns: 300 },
  );
});

Deno.test("[signature] property: any change to body, secret or signature fails", async () => {
  await fc.assert(
    fc.asyncProperty(
      bytes,
      secret,
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      async (body, s, at, xor) => {
        const hex = await referenceHex(s, body);
        if (body.length > 0) {
          const tampered = body.slice();
          tampered[at % body.length] ^= xor;
          assert.equal(await verifyCalcomSignature(tampered, hex, [s]), false);
        }
        assert.equal(await verifyCalcomSignature(body, hex, [s + "x"]), false);
        const flipped = hex.slice(0, 10) + (hex[10] === "a" ? "b" : "a") + hex.slice(11);
        assert.equal(await verifyCalcomSignature(body, flipped, [s]), false);
        assert.equal(await verifyCalcomSignature(body, hex, []), false);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("[signature] property: arbitrary header strings never verify or throw", async () => {
  const body = new TextEncoder().encode('{"triggerEvent":"PING"}');
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 200 }), async (header) => {
      assert.equal(await verifyCalcomSignature(body, header, ["s"]), false);
    }),
    { numRuns: 500 },
  );
});

Deno.test("[signature] header decoding", async (t) => {
  await t.step("no-secret-provided, empty, wrong length and non-hex are not signatures", () => {
    for (
      const h of [null, "", "no-secret-provided", "ab", "g".repeat(64), "a".repeat(65), "sha256="]
    ) {
      assert.equal(decodeSignatureHeader(h), null);
    }
  });
  await t.step("surrounding whitespace and upper-case hex are tolerated", () => {
    assert.equal(decodeSignatureHeader(` ${"AB".repeat(32)} `)?.length, 32);
  });
});
