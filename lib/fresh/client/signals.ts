/**
 * Signals entry point. Boot loads it only when the page state contains signals; because it is
 * part of the one split build, islands that import `@preact/signals` share this very instance,
 * so a signal revived from props is the same kind of object the island subscribes to.
 */
export { computed, effect, signal } from "@preact/signals";
