// Executions and their commissions: EXECUTION_DATA (11), EXECUTION_DATA_END (55), COMMISSION_REPORT (59).
import { contractWireFields } from "../contract.ts";
import type { FakeContract } from "../contract.ts";
import { JAVA_DOUBLE_MAX } from "../framing.ts";
import type { WireField } from "../framing.ts";

export interface FakeExecution {
  readonly execId: string;
  readonly orderId: number;
  readonly clientId: number;
  readonly permId: number;
  readonly contract: FakeContract;
  /** TWS time text, e.g. `20260105 10:30:01 US/Eastern`. */
  readonly time: string;
  readonly tsMs: number;
  readonly account: string;
  readonly side: "BOT" | "SLD";
  readonly shares: number;
  readonly price: number;
  readonly cumQty: number;
  readonly avgPrice: number;
  readonly orderRef: string;
  readonly commission: number;
}

/** EXECUTION_DATA at 193 (no version field, 32 fields); reqId -1 for unsolicited fills. */
export function execDetails(reqId: number, e: FakeExecution): WireField[] {
  const liquidation = 0;
  const lastLiquidity = 1; // added liquidity
  return [
    11, reqId, e.orderId, ...contractWireFields(e.contract),
    e.execId, e.time, e.account, e.contract.exchange === "SMART" ? "ISLAND" : e.contract.exchange, e.side, e.shares, e.price,
    e.permId, e.clientId, liquidation, e.cumQty, e.avgPrice, e.orderRef,
    "", "", "", lastLiquidity, 0, // evRule, evMultiplier, modelCode, lastLiquidity, pendingPriceRevision
  ];
}

export function execDetailsEnd(reqId: number): WireField[] {
  return [55, 1, reqId];
}

/** Realised P&L and yield go out as Java's Double.MAX_VALUE ("unset"), as TWS sends them for opening fills. */
export function commissionReport(execId: string, commission: number, currency: string): WireField[] {
  return [59, 1, execId, commission, currency, JAVA_DOUBLE_MAX, JAVA_DOUBLE_MAX, ""];
}

