// roundHalfUp must be Math.round, bit for bit (the sim's quotes and fills and the backtest's
// tape round with it), on every kind of double: near every half, at binade edges, tiny, huge.
import { describe, expect, test } from "bun:test";
import { roundHalfUp } from "../../src/core/round-half-up.ts";
import { seededRandom } from "./core-fixtures.ts";

/** The doubles next to x, `steps` ulps each way. */
function around(x: number, steps: number): number[] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  const out: number[] = [];
  for (let k = -steps; k <= steps; k++) {
    view.setBigInt64(0, bits + BigInt(k));
    out.push(view.getFloat64(0));
  }
  return out;
}

function expectSame(x: number): void {
  const fast = roundHalfUp(x);
  const exact = Math.round(x);
  if (!Object.is(fast, exact)) throw new Error(`roundHalfUp(${x}) was ${fast}, expected Math.round's ${exact}`);
}

describe("roundHalfUp", () => {
  test("equals Math.round at the halves, integers and binade edges (each with 4 neighbours either way)", () => {
    const anchors: number[] = [0, 0.25, 0.5, 1, 1.5, 2, 2.5, 3.5, 1e15 + 0.5, 2 ** 52, 2 ** 53, 1e300, Number.MIN_VALUE, Number.MAX_VALUE];
    for (let e = -3; e <= 53; e++) for (const m of [1, 1.5, 2]) anchors.push(m * 2 ** e, m * 2 ** e - 0.5, m * 2 ** e + 0.5);
    for (let k = 0; k < 20_000; k++) anchors.push(k + 0.5, k * 100 + 49.5, 59_000 + k / 100);
    for (const anchor of anchors) for (const x of around(anchor, 4)) for (const signed of [x, -x]) expectSame(signed);
    for (const special of [Number.NaN, Infinity, -Infinity, -0, 0.49999999999999994]) expectSame(special);
  });

  test("equals Math.round on random prices in cents and on random doubles", () => {
    const random = seededRandom(5);
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 500_000; i++) {
      expectSame(random() * 1e7 * 100); // prices up to 10 M, in cents
      expectSame(Math.round(random() * 1e6) / 100 * 100 + (random() - 0.5) * 1e-9);
      view.setUint32(0, Math.floor(random() * 2 ** 32));
      view.setUint32(4, Math.floor(random() * 2 ** 32));
      expectSame(view.getFloat64(0));
    }
  });
});
