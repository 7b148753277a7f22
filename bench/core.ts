// Core hot-path throughput: greeks, Hedger.evaluate on the hold path, the guard path and the
// hedge path, each next to a bare loop computing two legs' BS delta+gamma per bar in the same
// run (the backtest's floor). Run: `bun bench/core.ts [bars] [rounds]` (default 2,000,000 bars, 5 rounds).
// Figures -> docs/BENCHMARKS.md.
import { computeGreeks, GreeksScratch } from "../src/core/greeks.ts";
import { Hedger } from "../src/core/hedger.ts";
import type { HedgerParams } from "../src/core/hedger-params.ts";
import type { Position } from "../src/core/instrument.ts";
import { OrderRefSequence } from "../src/core/order-ref-sequence.ts";
import { normalCdf, normalPdf } from "../src/core/normal.ts";

const BARS = Number(process.argv[2] ?? 2_000_000);
const START_MS = Date.UTC(2025, 2, 3, 14, 30); // Monday 09:30 New York
const EXPIRY_MS = Date.UTC(2025, 3, 4, 20, 0);
const YEAR_MS = 365 * 86_400_000;
/** Time advances monotonically across the straddle's life (about 2.7 s per bar for 1M bars). */
const STEP_MS = Math.floor((EXPIRY_MS - START_MS - 86_400_000) / BARS);

/** A seeded random walk of closes (prices only; bar i is at START + i * STEP_MS). */
function pricePath(n: number): Float64Array {
  const out = new Float64Array(n);
  let state = 12345;
  let price = 590;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    price *= Math.exp(((state / 4294967296) - 0.5) * 0.002);
    if (price > 610 || price < 570) price = 590; // stay near the strike so both legs matter
    out[i] = price;
  }
  return out;
}

function params(overrides: { thresholdShares?: number; cooldownMs?: number } = {}): HedgerParams {
  return {
    strategy: { symbol: "SPY", minDte: 21, maxDte: 35, atmBandFraction: 0.03, greeksSource: "broker", brokerGreeksMaxAgeMs: 10_000, brokerGreeksGraceMs: 0, fallbackVol: 0.2, riskFreeRate: 0.05, dividendYield: 0.013 },
    hedge: { policy: { type: "threshold" }, epsilonBandShares: 10, thresholdShares: overrides.thresholdShares ?? 25, minShares: 10, maxSharesPerOrder: 500, forcedDeltaShares: 1e9, orderType: "market", limitOffsetBps: 5, orderTimeoutMs: 30_000 },
    guards: { maxDailyLossUsd: 1e12, tradingHoursOnly: false, earningsDates: [], earningsBlackoutDaysBefore: 0, earningsBlackoutDaysAfter: 0, cooldownMs: overrides.cooldownMs ?? 0, maxDailyHedges: 1e9, maxPositionShares: 1e9, maxSpreadFraction: 0.01, minPriceMoveFraction: 0, staleDataMs: 120_000, acceptDelayedData: false },
    positionSettleMs: 10_000,
    externalShares: 0,
    outsideStockChange: "adopt",
  };
}

const STRADDLE: Position[] = (["C", "P"] as const).map((right) => ({
  contract: { secType: "OPT", symbol: "SPY", right, strike: 590, expiryYmd: "20250404", multiplier: 100 },
  quantity: 5,
  avgCost: 1000,
  account: "BENCH",
}));

/** Bare loop: two legs' delta and gamma per bar, written out inline. Returns a checksum. */
function bareLoop(path: Float64Array): number {
  let sum = 0;
  const r = 0.05;
  const q = 0.013;
  const vol = 0.2;
  for (let i = 0; i < path.length; i++) {
    const spot = path[i]!;
    const t = (EXPIRY_MS - (START_MS + i * STEP_MS)) / YEAR_MS;
    const volSqrtT = vol * Math.sqrt(t);
    const dq = Math.exp(-q * t);
    const d1 = (Math.log(spot / 590) + (r - q + 0.5 * vol * vol) * t) / volSqrtT;
    const gamma = (dq * normalPdf(d1)) / (spot * volSqrtT);
    const callDelta = dq * normalCdf(d1);
    const putDelta = -dq * normalCdf(-d1);
    sum += 500 * (callDelta + putDelta) + 1000 * gamma;
  }
  return sum;
}

/** Greeks as a broker (or the backtest's own marks) would stream them: one mutable event per leg. */
interface GreeksEvent {
  impliedVol: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  optionPrice: number;
  underlyingPrice: number;
  tsEventMs: number;
}
const greeksEvent = (delta: number): GreeksEvent => ({ impliedVol: 0.2, delta, gamma: 0.01, vega: 0.6, theta: -0.2, optionPrice: 10, underlyingPrice: 590, tsEventMs: START_MS });

/**
 * Per bar: onQuote (+ two onOptionGreeks when `brokerGreeks`) + evaluate; on a hedge decision
 * create the order and fill it at once.
 */
function hedgerLoop(path: Float64Array, p: HedgerParams, brokerGreeks = false): { checksum: number; hedges: number; denies: number } {
  const h = new Hedger(p);
  const refs = new OrderRefSequence("b");
  h.setBrokerConnected(true, START_MS);
  h.setPositions(STRADDLE, START_MS);
  const call = greeksEvent(0.55);
  const put = greeksEvent(-0.45);
  let checksum = 0;
  let hedges = 0;
  let denies = 0;
  for (let i = 0; i < path.length; i++) {
    const spot = path[i]!;
    const nowMs = START_MS + i * STEP_MS;
    h.onQuote({ bid: spot - 0.01, ask: spot + 0.01, last: spot, tsEventMs: nowMs });
    if (brokerGreeks) {
      call.underlyingPrice = put.underlyingPrice = spot;
      call.tsEventMs = put.tsEventMs = nowMs;
      h.onOptionGreeks("SPY|OPT|20250404|590|C", call);
      h.onOptionGreeks("SPY|OPT|20250404|590|P", put);
    }
    const d = h.evaluate(nowMs);
    if (d.type === "hedge") {
      const order = h.createOrder(d, nowMs, refs);
      const ref = order.orderRef;
      h.onExecution({ execId: ref, orderRef: ref, brokerOrderId: i, symbol: "SPY", side: order.side, shares: order.quantityShares, price: spot, cumulativeShares: order.quantityShares, tsEventMs: nowMs });
      hedges++;
    } else if (d.type === "deny") {
      denies++;
    } else if (d.deltaShares !== null) {
      checksum += d.deltaShares;
    }
  }
  return { checksum, hedges, denies };
}

function greeksLoop(n: number): number {
  const g = new GreeksScratch();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    computeGreeks(i & 1 ? "C" : "P", 570 + (i % 40), 590, 0.08 + (i % 7) * 0.001, 0.05, 0.013, 0.2, g);
    sum += g.price + g.delta + g.gamma + g.vega + g.theta;
  }
  return sum;
}

function time<T>(fn: () => T): { seconds: number; result: T } {
  const start = Bun.nanoseconds();
  const result = fn();
  return { seconds: (Bun.nanoseconds() - start) / 1e9, result };
}

const path = pricePath(BARS);
// Warm up every path so the JIT has compiled them before timing.
bareLoop(path.subarray(0, 50_000));
hedgerLoop(path.subarray(0, 50_000), params({ thresholdShares: 1e9 }));
hedgerLoop(path.subarray(0, 50_000), params());
hedgerLoop(path.subarray(0, 50_000), params({ thresholdShares: 1e9 }), true);
greeksLoop(50_000);

// The machine is shared: every round runs all cases back to back; each case's ratio to the
// bare loop is taken within its round, and the median ratio over the rounds is reported
// (robust to load changing between rounds), next to the best absolute rate.
const ROUNDS = Number(process.argv[3] ?? 5);
const cases: [string, () => { checksum: number; note: string }][] = [
  ["bare loop: 2 legs BS delta+gamma per bar", () => ({ checksum: bareLoop(path), note: "" })],
  ["computeGreeks (price+4 greeks, 1 option)", () => ({ checksum: greeksLoop(BARS), note: "" })],
  ["Hedger onQuote+evaluate, hold path", () => {
    const r = hedgerLoop(path, params({ thresholdShares: 1e9 }));
    return { checksum: r.checksum, note: "" };
  }],
  ["Hedger onQuote+2 onOptionGreeks+evaluate, hold", () => {
    const r = hedgerLoop(path, params({ thresholdShares: 1e9 }), true);
    return { checksum: r.checksum, note: "" };
  }],
  ["Hedger onQuote+evaluate, guard chain (deny)", () => {
    const r = hedgerLoop(path, params({ cooldownMs: 1e12 }));
    return { checksum: r.checksum, note: `${r.denies} denies` };
  }],
  ["Hedger onQuote+evaluate+createOrder+fill", () => {
    const r = hedgerLoop(path, params());
    return { checksum: r.checksum, note: `${r.hedges} hedges` };
  }],
];
const seconds: number[][] = cases.map(() => []);
const notes = cases.map(() => "");
let checksum = 0;
for (let round = 0; round < ROUNDS; round++) {
  cases.forEach(([, run], i) => {
    const t = time(run);
    seconds[i]!.push(t.seconds);
    notes[i] = t.result.note;
    checksum += t.result.checksum;
  });
}
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
console.log(`bars per run: ${BARS.toLocaleString("en-US")}, ${ROUNDS} rounds  (Bun ${Bun.version}, ${process.platform}/${process.arch})`);
console.log(`${"case".padEnd(48)} ${"best M/s".padStart(9)}  ${"median x bare".padStart(13)}`);
cases.forEach(([name], i) => {
  const best = BARS / Math.min(...seconds[i]!) / 1e6;
  const ratio = median(seconds[i]!.map((s, round) => s / seconds[0]![round]!));
  console.log(`${name.padEnd(48)} ${best.toFixed(2).padStart(9)}  ${ratio.toFixed(2).padStart(12)}x  ${notes[i]}`);
});
// Keep results observable so no loop is optimised away.
if (!Number.isFinite(checksum)) console.log("checksum not finite");
