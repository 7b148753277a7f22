// Row builders for sink tests: complete, realistic rows with overridable fields.
import type { DailyState, OperationRow, StatusRow } from "../../src/sink/records.ts";

export const T0_MS = Date.UTC(2025, 0, 6, 14, 30);

export function statusRow(overrides: Partial<StatusRow> = {}): StatusRow {
  return {
    daemonId: "gs-test",
    tsMs: T0_MS,
    state: "RUNNING",
    hedgeState: "idle",
    symbol: "SPY",
    spot: 581.37,
    bid: 581.36,
    ask: 581.38,
    portfolioDeltaShares: -12.75,
    optionDeltaShares: 37.25,
    hedgeShares: -50,
    pendingShares: 0,
    legsCount: 2,
    dailyHedgeCount: 3,
    dailyRealizedPnlUsd: 125.4,
    unrealizedPnlUsd: -40.125,
    dataAgeMs: 120,
    brokerConnected: true,
    paused: false,
    blockReasons: [{ code: "cooldown", message: "last hedge 12 s ago, cooldown 60 s" }],
    configHash: "cfg-1",
    heartbeatIntervalS: 5,
    details: { pid: 4242, version: "0.1.0", brokerName: "sim", gammaShares: 8.5, lastDecision: null },
    ...overrides,
  };
}

export function operationRow(index: number, overrides: Partial<OperationRow> = {}): OperationRow {
  return {
    opId: `gs-test:${T0_MS}:${index}`,
    tsMs: T0_MS + index * 1_000,
    daemonId: "gs-test",
    type: "fill",
    orderRef: `gs:scalp:SPY:${Math.floor(index / 3)}`,
    brokerOrderId: 1_000 + index,
    execId: `0000e0d5.${index}.01.01`,
    side: index % 2 === 0 ? "BUY" : "SELL",
    quantityShares: 25 + index,
    price: Number((581.37 + index / 100).toFixed(2)),
    commissionUsd: 1.25,
    reason: null,
    payload: { venue: "ARCA", seq: index, nested: { ok: true } },
    ...overrides,
  };
}

export function dailyState(overrides: Partial<DailyState> = {}): DailyState {
  return {
    daemonId: "gs-test",
    tradingDay: "2025-01-06",
    hedgeCount: 4,
    realizedPnlUsd: 212.5,
    commissionsUsd: 4.05,
    lastHedgeTsMs: T0_MS,
    lastHedgePrice: 581.37,
    circuitBreakerTripped: false,
    pnlMarks: {
      hedgeOpenValueUsd: -29_068.5,
      hedgeCashUsd: 11_627.4,
      hedgeShares: -30,
      optionClosedPnlUsd: -412.125,
      legBaselines: [{ contractKey: "SPY|OPT|20250131|580|C", units: 500, baselinePriceUsd: 9.875, markPriceUsd: 10.0125, markOnFallback: false }],
    },
    updatedAtMs: T0_MS,
    ...overrides,
  };
}
