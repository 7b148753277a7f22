// A core HedgeOrder -> the @stoqey/ib order TWS receives, and the checks made before
// anything is sent.
import { OrderAction, OrderType, TimeInForce } from "@stoqey/ib";
import type { Order as IbOrder } from "@stoqey/ib";
import type { HedgeOrder } from "../../core/order.ts";
import { BrokerError } from "../port.ts";

/** Day orders, transmitted at once, carrying gs's orderRef for attribution and reconciliation. */
export function toIbOrder(order: HedgeOrder, account: string): IbOrder {
  return {
    action: order.side === "BUY" ? OrderAction.BUY : OrderAction.SELL,
    totalQuantity: order.quantityShares,
    orderType: order.orderType === "market" ? OrderType.MKT : OrderType.LMT,
    lmtPrice: order.orderType === "limit" ? order.limitPrice : undefined,
    tif: TimeInForce.DAY,
    orderRef: order.orderRef,
    account,
    transmit: true,
  };
}

export function validateHedgeOrder(order: HedgeOrder): void {
  if (!Number.isInteger(order.quantityShares) || order.quantityShares <= 0) {
    throw new BrokerError("operational", `order ${order.orderRef}: quantityShares was ${order.quantityShares}, expected a positive whole number`);
  }
  if (order.orderType === "limit" && !(order.limitPrice !== undefined && Number.isFinite(order.limitPrice) && order.limitPrice > 0)) {
    throw new BrokerError("operational", `order ${order.orderRef}: limitPrice was ${order.limitPrice}, expected a positive price for a limit order`);
  }
  if (order.orderRef === "") throw new BrokerError("operational", "order orderRef was empty, expected gs:<daemon>:<symbol>:<seq>");
}
