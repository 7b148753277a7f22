// CONTRACT_DATA (10) at server version 193 (no version field, 42 fields for non-funds) and its end marker.
import type { FakeContract } from "../contract.ts";
import type { WireField } from "../framing.ts";

export function contractDetails(reqId: number, c: FakeContract): WireField[] {
  const minTick = 0.01;
  const underConId = 0;
  return [
    10, reqId, c.symbol, c.secType, c.lastTradeDate, c.lastTradeDate, c.strike, c.right, c.exchange, c.currency,
    c.localSymbol, c.tradingClass, c.tradingClass, c.conId, minTick, c.multiplier,
    "LMT,MKT", "SMART,ARCA,ISLAND", 1, underConId, `${c.symbol} fake instrument`, "ARCA",
    c.lastTradeDate.slice(0, 6), "", "", "", "US/Eastern", "", "", "", "", // contractMonth .. evMultiplier
    0, // secIdList count
    0, c.secType === "OPT" ? c.symbol : "", c.secType === "OPT" ? "STK" : "", "26", c.lastTradeDate, "", // aggGroup .. stockType
    1, 1, 1, // minSize, sizeIncrement, suggestedSizeIncrement
    0, // ineligibility reasons count
  ];
}

export function contractDetailsEnd(reqId: number): WireField[] {
  return [52, 1, reqId];
}
