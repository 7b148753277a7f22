// Pure translations of decoded @stoqey/ib callbacks into core/port values.
import type { Contract as IbContract, Execution as IbExecution, Order as IbOrder, OrderState as IbOrderState } from "@stoqey/ib";
import type { Position } from "../../core/instrument.ts";
import type { ExecutionReport, OpenOrder } from "../../core/order.ts";
import { fromIbContract, sideOfIbWord } from "./contract-mapping.ts";
import { parseTwsTime } from "./ib-time.ts";
import { mapTwsOrderStatus } from "./order-status-table.ts";

export type Translation<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const skip = <T>(reason: string): Translation<T> => ({ ok: false, reason });

export function toPosition(account: string, ib: IbContract, quantity: number | undefined, avgCost: number | undefined): Translation<Position> {
  const contract = fromIbContract(ib);
  if (!contract) return skip(`position in ${ib.symbol ?? "?"} ${ib.secType ?? "?"} is not a stock or option gs trades`);
  return { ok: true, value: { contract, quantity: quantity ?? 0, avgCost: avgCost ?? 0, account } };
}

export function toExecutionReport(ib: IbContract, exec: IbExecution, orderRefOfId: (clientId: number, orderId: number) => string | undefined): Translation<ExecutionReport> {
  const side = sideOfIbWord(exec.side);
  if (ib.secType !== "STK") return skip(`execution ${exec.execId ?? "?"} is for ${ib.secType ?? "?"}, not a hedge in stock`);
  if (side === null || exec.execId === undefined || exec.shares === undefined || exec.price === undefined || exec.orderId === undefined) {
    return skip(`execution ${JSON.stringify(exec)} lacks side, exec id, shares, price or order id`);
  }
  let tsEventMs: number;
  try {
    tsEventMs = parseTwsTime(exec.time ?? "");
  } catch (error) {
    return skip(`execution ${exec.execId}: ${(error as Error).message}`);
  }
  const orderRef = exec.orderRef !== undefined && exec.orderRef !== "" ? exec.orderRef : orderRefOfId(exec.clientId ?? 0, exec.orderId) ?? "";
  return {
    ok: true,
    value: {
      execId: exec.execId, orderRef, brokerOrderId: exec.orderId, symbol: ib.symbol ?? "", side,
      shares: exec.shares, price: exec.price, cumulativeShares: exec.cumQty ?? exec.shares, tsEventMs,
    },
  };
}

/** The execution as a correction of `correctsExecId` (null: a plain execution). */
export function withCorrection(execution: ExecutionReport, correctsExecId: string | null): ExecutionReport {
  return correctsExecId === null ? execution : { ...execution, correctsExecId };
}

/** What the orderStatus TWS sends alongside an openOrder adds to it. */
export interface OrderStatusExtras {
  readonly filledShares: number;
  readonly whyHeld: string;
}

/** An open stock order; filled shares and whyHeld come from the orderStatus TWS sends alongside. */
export function toOpenOrder(orderId: number, ib: IbContract, order: IbOrder, state: IbOrderState, { filledShares, whyHeld }: OrderStatusExtras): Translation<OpenOrder> {
  const side = sideOfIbWord(order.action);
  if (ib.secType !== "STK") return skip(`open order ${orderId} is for ${ib.secType ?? "?"}, not stock`);
  if (side === null || order.totalQuantity === undefined) return skip(`open order ${orderId} lacks action or quantity`);
  const remaining = order.totalQuantity - filledShares;
  const status = mapTwsOrderStatus(state.status ?? "", whyHeld, filledShares, remaining);
  if (status === null) return skip(`open order ${orderId} has status ${JSON.stringify(state.status)}, which gs does not act on`);
  return {
    ok: true,
    value: {
      orderRef: order.orderRef ?? "", brokerOrderId: orderId, symbol: ib.symbol ?? "", side,
      quantityShares: order.totalQuantity, filledShares, status,
    },
  };
}

/** IB's "not computed" values already arrive as undefined; anything non-finite is not a number gs can use. */
export function finiteOrNull(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : value;
}
