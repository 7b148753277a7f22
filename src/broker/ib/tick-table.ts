// TWS tick types and market data type codes -> the quote fields and data kind gs uses.
import type { MarketDataKind } from "../port.ts";

export type QuoteField = "bid" | "ask" | "last";

const PRICE_TICKS: ReadonlyMap<number, { readonly field: QuoteField; readonly kind: MarketDataKind }> = new Map([
  [1, { field: "bid", kind: "live" }],
  [2, { field: "ask", kind: "live" }],
  [4, { field: "last", kind: "live" }],
  [66, { field: "bid", kind: "delayed" }],
  [67, { field: "ask", kind: "delayed" }],
  [68, { field: "last", kind: "delayed" }],
] as const);

/** BID/ASK/LAST and their delayed twins; null for every other price tick (close, high, ...). */
export function quoteFieldOfTick(tickType: number): { readonly field: QuoteField; readonly kind: MarketDataKind } | null {
  return PRICE_TICKS.get(tickType) ?? null;
}

const MODEL_OPTION_TICKS: ReadonlyMap<number, MarketDataKind> = new Map([
  [13, "live"],
  [83, "delayed"],
] as const);

/** Only model computations feed greeks; bid/ask/last option computations (10-12, 80-82) are ignored. */
export function modelOptionTickKind(tickType: number): MarketDataKind | null {
  return MODEL_OPTION_TICKS.get(tickType) ?? null;
}

const KIND_BY_MARKET_DATA_TYPE: ReadonlyMap<number, MarketDataKind> = new Map([
  [1, "live"],
  [2, "frozen"],
  [3, "delayed"],
  [4, "delayed"], // delayed-frozen
] as const);

export function kindOfMarketDataType(code: number): MarketDataKind | null {
  return KIND_BY_MARKET_DATA_TYPE.get(code) ?? null;
}

/** The REQ_MARKET_DATA_TYPE code gs asks for: live only, or delayed when live is unavailable. */
export function marketDataTypeRequest(setting: "live" | "delayed"): 1 | 3 {
  return setting === "live" ? 1 : 3;
}

/** TWS sends -1 (and 0 for some feeds) for "no price": null it. */
export function priceOrNull(price: number | undefined): number | null {
  return price === undefined || !Number.isFinite(price) || price <= 0 ? null : price;
}
