// The order a hedge decision becomes: a market order, or a marketable limit at the far side
// of the quote plus the offset, rounded outward to the cent so it still crosses.
import type { HedgeDecision } from "./hedge-decision.ts";
import type { HedgeParams } from "./hedger-params.ts";
import type { HedgeOrder } from "./order.ts";

export function hedgeOrderFor(
  decision: Extract<HedgeDecision, { type: "hedge" }>,
  params: HedgeParams,
  symbol: string,
  orderRef: string,
  bid: number | null,
  ask: number | null,
): HedgeOrder {
  const { side, quantityShares } = decision;
  if (params.orderType !== "limit") return { orderRef, symbol, side, quantityShares, orderType: "market" };
  const offset = params.limitOffsetBps / 10_000;
  const far = side === "BUY" ? (ask ?? decision.spot) * (1 + offset) : (bid ?? decision.spot) * (1 - offset);
  const limitPrice = side === "BUY" ? Math.ceil(far * 100 - 1e-9) / 100 : Math.floor(far * 100 + 1e-9) / 100;
  return { orderRef, symbol, side, quantityShares, orderType: "limit", limitPrice };
}
