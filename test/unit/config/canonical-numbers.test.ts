import { jscDescribe, optimizeNextInvocation } from "bun:jsc";
import { describe, expect, test } from "bun:test";
import { withCanonicalNumbers } from "../../../src/config/canonical-numbers.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";

/** How JSC boxes a number: "Int32" or "Double". */
const boxing = (value: number): string => jscDescribe(value).split(":")[0] as string;

/**
 * An integral number the way optimised code can box it: as a double. Calls a function until
 * the JIT has compiled it (concurrently, so it takes a while) and it hands 3000 over boxed so.
 */
function optimisedIntegralDouble(): number {
  const toMs = (seconds: number): { ms: number } => ({ ms: seconds * 1000 });
  optimizeNextInvocation(toMs);
  for (let i = 0; i < 5_000_000; i++) {
    toMs((i % 7) + 0.5);
    const out = toMs(3).ms;
    if (boxing(out) === "Double") return out;
  }
  throw new Error("toMs was never optimised: this test needs the JIT");
}

describe("withCanonicalNumbers", () => {
  test("an integral number optimised code boxed as a double comes back as an int32", () => {
    const raw = optimisedIntegralDouble();
    expect(raw).toBe(3000);
    const copy = withCanonicalNumbers({ guards: { cooldownMs: raw }, list: [raw] });
    expect(boxing(copy.guards.cooldownMs)).toBe("Int32");
    expect(boxing(copy.list[0] as number)).toBe("Int32");
  });

  test("copies plain data deeply, keys in their order, fractions and big values unchanged", () => {
    const plain = { b: 1, a: { z: 0.25, y: [1, 2.5, "x", true, null], x: 2 ** 40 }, c: "s" };
    const copy = withCanonicalNumbers(plain);
    expect(copy).toEqual(plain);
    expect(copy).not.toBe(plain);
    expect(Object.keys(copy)).toEqual(["b", "a", "c"]);
    expect(Object.keys(copy.a)).toEqual(["z", "y", "x"]);
  });

  test.each([
    ["NaN", { limit: Number.NaN }, "key limit was NaN"],
    ["Infinity", { a: { limit: Number.POSITIVE_INFINITY } }, "key limit was Infinity"],
    ["undefined", { limit: undefined }, "key limit was undefined"],
  ])("refuses %s instead of losing it", (_name, value, message) => {
    expect(() => withCanonicalNumbers(value)).toThrow(message);
  });

  test("the Hedger's params from config are canonical copies of the config's values", () => {
    const config = defaultConfig();
    const params = hedgerParamsFromConfig(config);
    expect(params.hedge.orderTimeoutMs).toBe(config.hedge.order_timeout_s * 1000);
    expect(params.guards.maxDailyLossUsd).toBe(config.guards.max_daily_loss_usd);
    expect(boxing(params.hedge.orderTimeoutMs)).toBe("Int32");
  });
});
