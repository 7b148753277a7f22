// The brokerage account behind the fake TWS: positions, orders and executions.
// It survives connection drops and TWS restarts, like the real account at IB does.
import type { FakeContract } from "./contract.ts";
import type { FakeExecution } from "./messages/executions.ts";
import type { FakeOrderView, TwsOrderStatus } from "./messages/orders.ts";
import { formatTwsExecutionTime } from "./tws-time.ts";

export interface FakePosition {
  readonly account: string;
  readonly contract: FakeContract;
  readonly quantity: number;
  readonly avgCost: number;
}

const TERMINAL: ReadonlySet<TwsOrderStatus> = new Set(["Cancelled", "ApiCancelled", "Filled", "Inactive"]);

/** An Inactive order held to locate shares to short is still live at IB: it can fill or be cancelled. */
export function isWorking(order: FakeOrderView): boolean {
  return !TERMINAL.has(order.status) || (order.status === "Inactive" && order.whyHeld === "locate");
}

/** How TWS shows an order it holds: PreSubmitted, or Inactive (seen with short sales waiting for a locate). */
export type HeldOrderStatus = "PreSubmitted" | "Inactive";

/**
 * Orders are numbered per API client id, as at TWS: two clients can each have an order 1.
 * Scripting calls may leave the client id out while the order id names one order only.
 */
export class FakeAccount {
  private readonly positionsByKey = new Map<string, FakePosition>();
  private readonly ordersByKey = new Map<string, FakeOrderView>();
  private readonly executionLog: FakeExecution[] = [];
  private execSeq = 0;
  private permSeq = 1_000;

  constructor(readonly accounts: readonly string[], private readonly now: () => number) {}

  get defaultAccount(): string {
    return this.accounts[0] ?? "";
  }

  positions(): FakePosition[] {
    return [...this.positionsByKey.values()];
  }

  setPosition(account: string, contract: FakeContract, quantity: number, avgCost: number): FakePosition {
    const position = { account, contract, quantity, avgCost };
    this.positionsByKey.set(`${account}|${contract.conId}`, position);
    return position;
  }

  /** The position is gone from the account's reports altogether (TWS lists a day's closed positions as 0, not the next day's). */
  removePosition(account: string, conId: number): void {
    this.positionsByKey.delete(`${account}|${conId}`);
  }

  position(account: string, conId: number): FakePosition | undefined {
    return this.positionsByKey.get(`${account}|${conId}`);
  }

  order(orderId: number, clientId?: number): FakeOrderView | undefined {
    if (clientId !== undefined) return this.ordersByKey.get(orderKey(clientId, orderId));
    const matching = this.orders().filter((o) => o.orderId === orderId);
    if (matching.length > 1) throw new Error(`fake TWS has order ${orderId} of clients ${matching.map((o) => o.clientId).join(", ")}: name the client id`);
    return matching[0];
  }

  orders(): FakeOrderView[] {
    return [...this.ordersByKey.values()];
  }

  /** The id TWS hands a client as nextValidId: above every order of that client. */
  nextOrderIdOf(clientId: number, atLeast: number): number {
    return Math.max(atLeast, ...this.orders().filter((o) => o.clientId === clientId).map((o) => o.orderId + 1));
  }

  executions(): readonly FakeExecution[] {
    return this.executionLog;
  }

  addOrder(order: Omit<FakeOrderView, "permId" | "status" | "filled" | "avgFillPrice" | "lastFillPrice">): FakeOrderView {
    const created: FakeOrderView = { ...order, permId: this.permSeq++, status: "Submitted", filled: 0, avgFillPrice: 0, lastFillPrice: 0 };
    this.ordersByKey.set(orderKey(order.clientId, order.orderId), created);
    return created;
  }

  setStatus(orderId: number, status: TwsOrderStatus, clientId?: number): FakeOrderView {
    return this.replace({ ...this.requireOrder(orderId, clientId), status });
  }

  hold(orderId: number, whyHeld: string, shownAs: HeldOrderStatus, clientId?: number): FakeOrderView {
    return this.replace({ ...this.requireOrder(orderId, clientId), status: shownAs, whyHeld });
  }

  /** Executes `shares` of a working order at `price`; updates the order and the position. */
  fill(orderId: number, shares: number, price: number, commission: number, clientId?: number): { order: FakeOrderView; execution: FakeExecution; position: FakePosition } {
    const order = this.requireOrder(orderId, clientId);
    if (!isWorking(order)) throw new Error(`order ${orderId} is ${order.status}, expected a working order to fill`);
    const remaining = order.totalQuantity - order.filled;
    if (shares <= 0 || shares > remaining) throw new Error(`fill of ${shares} shares on order ${orderId}: expected 1..${remaining}`);
    const filled = order.filled + shares;
    const avgFillPrice = (order.avgFillPrice * order.filled + price * shares) / filled;
    const updated: FakeOrderView = {
      ...order, filled, avgFillPrice, lastFillPrice: price, status: filled === order.totalQuantity ? "Filled" : "Submitted", whyHeld: "", // a fill ends any hold
    };
    this.replace(updated);
    const tsMs = this.now();
    this.execSeq += 1;
    const execution: FakeExecution = {
      execId: `0000fake.${String(this.execSeq).padStart(8, "0")}.01.01`, orderId, clientId: order.clientId, permId: order.permId,
      contract: order.contract, time: formatTwsExecutionTime(tsMs), tsMs, account: order.account, side: order.action === "BUY" ? "BOT" : "SLD",
      shares, price, cumQty: filled, avgPrice: avgFillPrice, orderRef: order.orderRef, commission,
    };
    this.executionLog.push(execution);
    return { order: updated, execution, position: this.applyTrade(order.account, order.contract, order.action === "BUY" ? shares : -shares, price) };
  }

  /** Records a correction of an execution (exec id's last number bumped); the position moves by the share difference. */
  correct(execId: string, corrected: { readonly price?: number; readonly shares?: number; readonly commission?: number }): { execution: FakeExecution; position: FakePosition | null } {
    const original = this.executionLog.findLast((e) => e.execId.slice(0, e.execId.lastIndexOf(".")) === execId.slice(0, execId.lastIndexOf(".")));
    if (!original) throw new Error(`fake TWS has no execution ${execId}`);
    const cut = original.execId.lastIndexOf(".");
    const suffix = original.execId.slice(cut + 1);
    const shares = corrected.shares ?? original.shares;
    const execution: FakeExecution = {
      ...original, execId: `${original.execId.slice(0, cut)}.${String(Number(suffix) + 1).padStart(suffix.length, "0")}`,
      shares, price: corrected.price ?? original.price, commission: corrected.commission ?? original.commission, cumQty: original.cumQty + shares - original.shares,
    };
    this.executionLog.push(execution);
    const deltaShares = (shares - original.shares) * (original.side === "BOT" ? 1 : -1);
    return { execution, position: deltaShares === 0 ? null : this.applyTrade(original.account, original.contract, deltaShares, execution.price) };
  }

  /** Adds a trade to a position with IB's average-cost rule (cost only moves when the position grows). */
  applyTrade(account: string, contract: FakeContract, signedQuantity: number, price: number): FakePosition {
    const before = this.position(account, contract.conId);
    const oldQty = before?.quantity ?? 0;
    const newQty = oldQty + signedQuantity;
    const unitCost = price * contract.multiplier;
    const grows = Math.sign(signedQuantity) === Math.sign(oldQty) || oldQty === 0;
    const avgCost = newQty === 0 ? 0 : grows ? ((before?.avgCost ?? 0) * Math.abs(oldQty) + unitCost * Math.abs(signedQuantity)) / Math.abs(newQty)
      : Math.sign(newQty) === Math.sign(oldQty) ? (before?.avgCost ?? 0) : unitCost;
    return this.setPosition(account, contract, newQty, avgCost);
  }

  private requireOrder(orderId: number, clientId?: number): FakeOrderView {
    const order = this.order(orderId, clientId);
    if (!order) throw new Error(`fake TWS has no order ${orderId}${clientId === undefined ? "" : ` of client ${clientId}`}`);
    return order;
  }

  private replace(order: FakeOrderView): FakeOrderView {
    this.ordersByKey.set(orderKey(order.clientId, order.orderId), order);
    return order;
  }
}

function orderKey(clientId: number, orderId: number): string {
  return `${clientId}:${orderId}`;
}
