// Order state messages: ORDER_STATUS (3), OPEN_ORDER (5), OPEN_ORDER_END (53).
import { contractWireFields } from "../contract.ts";
import type { FakeContract } from "../contract.ts";
import { JAVA_DOUBLE_MAX, JAVA_INT_MAX } from "../framing.ts";
import type { WireField } from "../framing.ts";

/** TWS order status words (what `orderStatus` and `openOrder` carry). */
export type TwsOrderStatus =
  | "PendingSubmit" | "PreSubmitted" | "Submitted" | "PendingCancel" | "Cancelled" | "ApiCancelled" | "Filled" | "Inactive";

export interface FakeOrderView {
  readonly orderId: number;
  readonly clientId: number;
  readonly permId: number;
  readonly contract: FakeContract;
  readonly action: "BUY" | "SELL";
  readonly totalQuantity: number;
  readonly orderType: string;
  readonly limitPrice: number | null;
  readonly tif: string;
  readonly account: string;
  readonly orderRef: string;
  readonly status: TwsOrderStatus;
  readonly filled: number;
  readonly avgFillPrice: number;
  readonly lastFillPrice: number;
  /** Why TWS holds a working order ("locate": shares to short are being located); empty when not held. */
  readonly whyHeld?: string;
}

export function orderStatus(order: FakeOrderView): WireField[] {
  const parentId = 0;
  const whyHeld = order.whyHeld ?? "";
  const mktCapPrice = 0;
  return [
    3, order.orderId, order.status, order.filled, order.totalQuantity - order.filled, order.avgFillPrice,
    order.permId, parentId, order.lastFillPrice, order.clientId, whyHeld, mktCapPrice,
  ];
}

const UNSET_DOUBLE = ""; // decoded as undefined by readDoubleOrUndefined

/**
 * OPEN_ORDER at server version 193: no version field, no faProfile, 133 fields for a
 * plain order (no combo legs, algo, conditions, delta-neutral or scale parameters).
 */
export function openOrder(order: FakeOrderView): WireField[] {
  const c = order.contract;
  const contractFields = contractWireFields(c);
  return [
    5, order.orderId, ...contractFields,
    order.action, order.totalQuantity, order.orderType, order.limitPrice ?? UNSET_DOUBLE, UNSET_DOUBLE, order.tif,
    "", order.account, "", 0, order.orderRef, order.clientId, order.permId,
    0, 0, 0, "", // outsideRth, hidden, discretionaryAmt, goodAfterTime
    "", // deprecated sharesAllocation
    "", "", "", // faGroup, faMethod, faPercentage
    "", "", "", UNSET_DOUBLE, "", // modelCode, goodTillDate, rule80A, percentOffset, settlingFirm
    0, "", -1, // shortSaleSlot, designatedLocation, exemptCode
    0, // auctionStrategy
    UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, // startingPrice, stockRefPrice, delta
    UNSET_DOUBLE, UNSET_DOUBLE, // stockRangeLower, stockRangeUpper
    "", // displaySize
    0, 0, 0, "", 0, 0, 0, UNSET_DOUBLE, // blockOrder, sweepToFill, allOrNone, minQty, ocaType, eTradeOnly, firmQuoteOnly, nbboPriceCap
    0, 0, // parentId, triggerMethod
    UNSET_DOUBLE, 0, "", UNSET_DOUBLE, 0, 0, // volatility, volatilityType, deltaNeutralOrderType (empty: no more), deltaNeutralAuxPrice, continuousUpdate, referencePriceType
    UNSET_DOUBLE, UNSET_DOUBLE, // trailStopPrice, trailingPercent
    UNSET_DOUBLE, "", // basisPoints, basisPointsType
    "", 0, 0, // comboLegsDescription, comboLegs count, orderComboLegs count
    0, // smartComboRoutingParams count
    "", "", UNSET_DOUBLE, // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement (unset: no more)
    "", // hedgeType (empty: no hedgeParam)
    0, "", "", 0, // optOutSmartRouting, clearingAccount, clearingIntent, notHeld
    0, // deltaNeutralContract present?
    "", // algoStrategy (empty: no params)
    0, // solicited
    0, order.status, // whatIf, order state status
    UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, // margins before/change
    UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, // margins after
    JAVA_DOUBLE_MAX, JAVA_DOUBLE_MAX, JAVA_DOUBLE_MAX, "", "", // commission, min, max, currency, warningText
    0, 0, // randomizeSize, randomizePrice
    0, // conditions count
    "", UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, 0, // adjusted order params
    "", "", "", // soft dollar tier name, value, displayName
    UNSET_DOUBLE, // cashQty
    0, 0, 0, // dontUseAutoPriceForHedge, isOmsContainer, discretionaryUpToLimitPrice
    0, 0, "", // usePriceMgmtAlgo, duration, postToAts
    0, // autoCancelParent
    "", "", UNSET_DOUBLE, UNSET_DOUBLE, UNSET_DOUBLE, // minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf
    "", 0, "", 0, // customerAccount, professionalCustomer, bondAccruedInterest, includeOvernight
    "", JAVA_INT_MAX, // extOperator, manualOrderIndicator
  ];
}

export function openOrderEnd(): WireField[] {
  return [53, 1];
}
