import { describe, expect, test } from "bun:test";
import { progressBar } from "../../../src/backtest/progress-bar.ts";

function harness(enabled: boolean) {
  let now = 0;
  const out: string[] = [];
  const bar = progressBar("backtest", enabled, () => now, (text) => out.push(text));
  return { bar, out, advance: (ms: number) => (now += ms) };
}

describe("progress bar", () => {
  test("stays silent for the first second, then draws and ends its line", () => {
    const { bar, out, advance } = harness(true);
    bar.update(0.1);
    advance(999);
    bar.update(0.3);
    expect(out).toEqual([]);
    advance(2);
    bar.update(0.5);
    bar.update(0.5);
    bar.update(1);
    bar.done();
    expect(out.length).toBe(3);
    expect(out[0]).toBe(`\rbacktest [${"#".repeat(15)}${".".repeat(15)}]  50%`);
    expect(out[1]).toContain("100%");
    expect(out[2]).toBe("\n");
  });

  test("a fast run, or a disabled bar (--json, not a terminal), prints nothing", () => {
    const fast = harness(true);
    fast.bar.update(1);
    fast.bar.done();
    expect(fast.out).toEqual([]);
    const off = harness(false);
    off.advance(5000);
    off.bar.update(0.5);
    off.bar.done();
    expect(off.out).toEqual([]);
  });
});
