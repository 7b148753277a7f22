import { describe, expect, test } from "bun:test";
import { annualisedVol, dailySharpe } from "../../../src/backtest/summary.ts";
import type { DayRecord } from "../../../src/backtest/run-recorder.ts";
import { downsample, lineChart } from "../../../src/backtest/svg-chart.ts";

function day(endEquityUsd: number): DayRecord {
  const zero = { totalUsd: 0, scalpingUsd: 0, thetaUsd: 0, vegaUsd: 0, hedgeSlippageUsd: 0, rollCostsUsd: 0, stockCommissionsUsd: 0, optionCommissionsUsd: 0 };
  return { day: "2024-07-01", endEquityUsd, cumulative: zero, hedges: 0, sharesTraded: 0, bars: 78, squaredReturns: 0, meanImpliedVol: 0.15 };
}

describe("summary statistics", () => {
  test("daily Sharpe is mean over standard deviation of daily PnL, annualised with 252", () => {
    // Daily PnL 100, 300, 100, 300: mean 200, sample std 115.47.
    const sharpe = dailySharpe([day(100), day(400), day(500), day(800)]);
    expect(sharpe).toBeCloseTo((200 / 115.47005383792515) * Math.sqrt(252), 9);
    expect(dailySharpe([day(100)])).toBeNull();
    expect(dailySharpe([day(100), day(200)])).toBeNull();
  });

  test("realised vol annualises the summed squared returns per trading day", () => {
    expect(annualisedVol(0.0001 * 10, 10)).toBeCloseTo(0.01 * Math.sqrt(252), 12);
    expect(annualisedVol(0, 0)).toBeNull();
  });
});

describe("SVG charts", () => {
  test("downsampling keeps every bucket's extremes", () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i);
    const ys = xs.map((i) => (i === 4321 ? 99 : i === 8765 ? -99 : Math.sin(i / 100)));
    const reduced = downsample(xs, ys, 100);
    expect(reduced.xs.length).toBeLessThanOrEqual(200);
    expect(Math.max(...reduced.ys)).toBe(99);
    expect(Math.min(...reduced.ys)).toBe(-99);
  });

  test("a chart is one inline SVG with a polyline per series, and escapes titles", () => {
    const svg = lineChart(
      [
        { name: "a<b", color: "#000", xs: [0, 86_400_000], ys: [1, 2] },
        { name: "c", color: "#f00", xs: [0, 86_400_000], ys: [Number.NaN, 3] },
      ],
      { title: "T & U", yUnit: "USD" },
    );
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg.match(/<polyline /g)?.length).toBe(2);
    expect(svg).toContain("T &amp; U");
    expect(svg).toContain("a&lt;b");
    expect(lineChart([], { title: "empty", yUnit: "" })).toContain("no data");
  });
});
