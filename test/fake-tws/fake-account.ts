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

export function isWorking(order: FakeOrderView): boolean {
  return !TERMINAL.has(order.status);
}

export class FakeAccount {
  private readonly positionsByKey = new Map<string, FakePosition>();
  private readonly ordersById = new Map<number, FakeOrderView>();
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

  order(orderId: number): FakeOrderView | undefined {
    return this.ordersById.get(orderId);
  }

  orders(): FakeOrderView[] {
    return [...this.ordersById.values()];
  }

  executions(): readonly FakeExecution[] {
    return this.executionLog;
  }

  addOrder(order: Omit<FakeOrderView, "permId" | "status" | "filled" | "avgFillPrice" | "lastFillPrice">): FakeOrderView {
    const created: FakeOrderView = { ...order, permId: this.permSeq++, status: "Submitted", filled: 0, avgFillPrice: 0, lastFillPrice: 0 };
    this.ordersById.set(order.orderId, created);
    return created;
  }

  setStatus(orderId: number, status: TwsOrderStatus): FakeOrderView {
    const order = this.requireOrder(orderId);
    const updated = { ...order, status };
    this.ordersById.set(orderId, updated);
    return updated;
  }

  hold(orderId: number, whyHeld: string): FakeOrderView {
    const updated = { ...this.requireOrder(orderId), status: "PreSubmitted" as const, whyHeld };
    this.ordersById.set(orderId, updated);
    return updated;
  }

  /** Executes `shares` of a working order at `price`; updates the order and the position. */
  fill(orderId: number, shares: number, price: number, commission: number): { order: FakeOrderView; execution: FakeExecution; position: FakePosition } {
    const order = this.requireOrder(orderId);
    if (!isWorking(order)) throw new Error(`order ${orderId} is ${order.status}, expected a working order to fill`);
    const remaining = order.totalQuantity - order.filled;
    if (shares <= 0 || shares > remaining) throw new Error(`fill of ${shares} shares on order ${orderId}: expected 1..${remaining}`);
    const filled = order.filled + shares;
    const avgFillPrice = (order.avgFillPrice * order.filled + price * shares) / filled;
    const updated: FakeOrderView = {
      ...order, filled, avgFillPrice, lastFillPrice: price, status: filled === order.totalQuantity ? "Filled" : "Submitted",
    };
    this.ordersById.set(orderId, updated);
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

  private requireOrder(orderId: number): FakeOrderView {
    const order = this.ordersById.get(orderId);
    if (!order) throw new Error(`fake TWS has no order ${orderId}`);
    return order;
  }
}
