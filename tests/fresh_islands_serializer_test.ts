import assert from "node:assert/strict";
import fc from "fast-check";
import { type Signal, signal } from "@preact/signals";
import { h } from "preact";
import {
  escapeJsonForHtml,
  PropsSerializationError,
  serializeProps,
} from "../lib/fresh/serializer.ts";
import { deserializeProps } from "../lib/fresh/client/deserializer.ts";

/** Server -> JSON text -> (what the browser reads) -> props. */
function roundTrip(values: unknown[]): unknown[] {
  const { json } = serializeProps(values);
  return deserializeProps(JSON.parse(escapeJsonForHtml(json)), signal);
}

Deno.test("[islands] serializer: plain JSON values round-trip", () => {
  const props = [{ a: 1, b: "x", c: [true, null, { d: -2.5 }] }, {}];
  assert.deepStrictEqual(roundTrip(props), props);
  assert.equal(serializeProps(props).hasSignals, false);
});

Deno.test("[islands] serializer: signals come back as live signals", () => {
  const count = signal(3);
  const { json, hasSignals } = serializeProps([{ count }]);
  assert.equal(hasSignals, true);
  assert.equal(json, '{"v":[{"count":{"_f":"s","v":3}}],"s":1}');
  const [props] = roundTrip([{ count }]) as [{ count: Signal<number> }];
  assert.equal(props.count.value, 3);
  let seen = 0;
  const stop = props.count.subscribe((value) => seen = value);
  props.count.value = 7;
  assert.equal(seen, 7);
  stop();
});

Deno.test("[islands] serializer: a signal shared by two islands stays one signal", () => {
  const shared = signal({ n: 1 });
  const [a, b] = roundTrip([{ s: shared }, { s: shared }]) as { s: Signal<{ n: number }> }[];
  assert.equal(a.s, b.s);
  assert.deepStrictEqual(a.s.value, { n: 1 });
});

Deno.test("[islands] serializer: bigint, Uint8Array and objects owning _f", () => {
  const props = [{
    big: 12345678901234567890n,
    bytes: new Uint8Array([0, 1, 254, 255]),
    tagged: { _f: "s", v: 5 },
    nested: { _f: { _f: "b" } },
  }];
  const back = roundTrip(props);
  assert.deepStrictEqual(back, props);
});

Deno.test("[islands] serializer: repeated and circular references are restored", () => {
  const shared = { name: "x" };
  const cycle: Record<string, unknown> = { label: "loop" };
  cycle.self = cycle;
  const [props] = roundTrip([{ a: shared, b: [shared], cycle }]) as [Record<string, unknown>];
  assert.equal(props.a, (props.b as unknown[])[0]);
  const revived = props.cycle as Record<string, unknown>;
  assert.equal(revived.self, revived);
});

Deno.test("[islands] serializer: JSX props become null, functions are refused", () => {
  assert.deepStrictEqual(roundTrip([{ icon: h("svg", null) }]), [{ icon: null }]);
  assert.throws(() => serializeProps([{ onClick: () => {} }]), PropsSerializationError);
  assert.throws(() => serializeProps([{ when: new Date(0) }]), /Date is not a plain object/);
});

Deno.test("[islands] serializer: HTML escaping leaves no markup or line separators", () => {
  const hostile = "</script><!--<script>alert(1)</script>&amp;\u2028\u2029";
  const text = escapeJsonForHtml(serializeProps([{ hostile }]).json);
  assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
  assert.deepStrictEqual(deserializeProps(JSON.parse(text)), [{ hostile }]);
});

Deno.test("[islands] serializer: hostile strings and keys round-trip exactly (fast-check)", () => {
  const hostileString = fc.oneof(
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    fc.constantFrom("</script>", "<!--", "-->", "__proto__", "_f", "\u2028", "\u2029", "\ud800"),
  );
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(
      hostileString,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt(),
      fc.uint8Array({ maxLength: 8 }),
    ),
    node: fc.oneof(
      { depthSize: "small" },
      tie("leaf"),
      fc.array(tie("node"), { maxLength: 4 }),
      fc.dictionary(hostileString, tie("node"), { maxKeys: 4, noNullPrototype: true }),
    ),
  })).node;
  fc.assert(
    fc.property(
      fc.array(fc.dictionary(hostileString, value, { noNullPrototype: true })),
      (props) => {
        assert.deepStrictEqual(roundTrip(props), props);
      },
    ),
    { numRuns: 300 },
  );
});
