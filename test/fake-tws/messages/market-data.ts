// Streaming market data: prices, sizes, option computations, data type.
import type { WireField } from "../framing.ts";

export const TICK = {
  BID_SIZE: 0, BID: 1, ASK: 2, ASK_SIZE: 3, LAST: 4, LAST_SIZE: 5, VOLUME: 8, CLOSE: 9,
  MODEL_OPTION: 13, DELAYED_BID: 66, DELAYED_ASK: 67, DELAYED_LAST: 68, DELAYED_MODEL_OPTION: 83,
} as const;

/** market data type codes of MARKET_DATA_TYPE (58). */
export const MARKET_DATA_TYPE = { LIVE: 1, FROZEN: 2, DELAYED: 3, DELAYED_FROZEN: 4 } as const;

/** Greeks as the fake sends them; a missing value goes out as IB's "not computed" sentinel. */
export interface FakeGreeks {
  readonly impliedVol?: number;
  readonly delta?: number;
  readonly optionPrice?: number;
  readonly pvDividend?: number;
  readonly gamma?: number;
  readonly vega?: number;
  readonly theta?: number;
  readonly underlyingPrice?: number;
}

const NOT_COMPUTED_PRICE = -1;
const NOT_COMPUTED_GREEK = -2;

export function tickPrice(reqId: number, tickType: number, price: number, size: number): WireField[] {
  const attrMask = 0;
  return [1, 6, reqId, tickType, price, size, attrMask];
}

export function tickSize(reqId: number, tickType: number, size: number): WireField[] {
  return [2, 6, reqId, tickType, size];
}

export function tickOptionComputation(reqId: number, tickType: number, greeks: FakeGreeks): WireField[] {
  const tickAttrib = 0; // 0 = return-based volatility
  return [
    21, reqId, tickType, tickAttrib,
    greeks.impliedVol ?? NOT_COMPUTED_PRICE,
    greeks.delta ?? NOT_COMPUTED_GREEK,
    greeks.optionPrice ?? NOT_COMPUTED_PRICE,
    greeks.pvDividend ?? NOT_COMPUTED_PRICE,
    greeks.gamma ?? NOT_COMPUTED_GREEK,
    greeks.vega ?? NOT_COMPUTED_GREEK,
    greeks.theta ?? NOT_COMPUTED_GREEK,
    greeks.underlyingPrice ?? NOT_COMPUTED_PRICE,
  ];
}

export function marketDataType(reqId: number, type: number): WireField[] {
  return [58, 1, reqId, type];
}

export function tickSnapshotEnd(reqId: number): WireField[] {
  return [57, 1, reqId];
}
