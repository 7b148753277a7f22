// bunfig.toml's preload (test/support/test-timeout.ts) must really raise the default
// timeout, hooks included: without it this beforeAll, slower than Bun's own 5 s default,
// fails the file. (Importing the preload here would hide its absence, so this file doesn't.)
import { beforeAll, expect, test } from "bun:test";

const BUN_DEFAULT_TIMEOUT_MS = 5_000;
let hookRanMs = 0;

beforeAll(async () => {
  const startedMs = performance.now();
  await Bun.sleep(BUN_DEFAULT_TIMEOUT_MS + 200);
  hookRanMs = performance.now() - startedMs;
});

test("a hook may run longer than Bun's 5 s default", () => {
  expect(hookRanMs).toBeGreaterThan(BUN_DEFAULT_TIMEOUT_MS);
});
