// How the fake TWS answers each client request, in the order and shape TWS does.
import type { FakeContract, RequestedContract } from "./contract.ts";
import { isWorking } from "./fake-account.ts";
import { position, positionEnd } from "./messages/account.ts";
import { errorMessage, managedAccounts, nextValidId } from "./messages/connection.ts";
import { contractDetails, contractDetailsEnd } from "./messages/contract-details.ts";
import { commissionReport, execDetails, execDetailsEnd } from "./messages/executions.ts";
import type { FakeExecution } from "./messages/executions.ts";
import { historicalData } from "./messages/historical.ts";
import type { FakeBar } from "./messages/historical.ts";
import { marketDataType, tickSnapshotEnd } from "./messages/market-data.ts";
import { openOrder, openOrderEnd, orderStatus } from "./messages/orders.ts";
import type { ClientRequest, ExecutionFilter } from "./requests.ts";
import type { FakeTws } from "./server.ts";
import type { FakeSession } from "./session.ts";
import { parseFilterTime } from "./tws-time.ts";

const CLIENT_ID_IN_USE = "Unable to connect as the client id is already in use. Retry with a unique client id.";
const FARMS_OK: readonly [number, string][] = [
  [2104, "Market data farm connection is OK:usfarm"],
  [2106, "HMDS data farm connection is OK:ushmds"],
  [2158, "Sec-def data farm connection is OK:secdefnj"],
];

export function handleRequest(tws: FakeTws, session: FakeSession, request: ClientRequest): void {
  switch (request.type) {
    case "start_api":
      return startApi(tws, session, request.clientId);
    case "req_ids":
      session.send(nextValidId(tws.account.nextOrderIdOf(session.clientId ?? 0, tws.nextOrderId)));
      return;
    case "req_mkt_data":
      return subscribeMarketData(tws, session, request.reqId, request.contract, request.snapshot);
    case "cancel_mkt_data":
      session.marketData.delete(request.reqId);
      return;
    case "place_order":
      return placeOrder(tws, session, request);
    case "cancel_order":
      return cancelOrder(tws, session, request.orderId);
    case "req_open_orders":
      return sendOpenOrders(tws, session, request.scope);
    case "req_executions":
      return sendExecutions(tws, session, request.reqId, request.filter);
    case "req_contract_details": {
      const contract = tws.resolve(request.contract);
      if (!contract) {
        session.send(errorMessage(request.reqId, 200, "No security definition has been found for the request"));
        return;
      }
      session.send(contractDetails(request.reqId, contract));
      session.send(contractDetailsEnd(request.reqId));
      return;
    }
    case "req_historical_data": {
      const bars = barsInWindow(tws.historicalBars.get(request.contract.symbol) ?? [], request.endDateTime, request.duration);
      session.send(historicalData(request.reqId, bars[0]?.time ?? "", bars[bars.length - 1]?.time ?? "", bars));
      return;
    }
    case "req_market_data_type":
      return;
    case "req_positions":
      session.positionsSubscribed = true;
      return sendPositionDump(tws, session);
    case "cancel_positions":
      session.positionsSubscribed = false;
      return;
    case "unknown":
      return;
    default: {
      const unreachable: never = request;
      throw new Error(`unhandled request ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * All positions then positionEnd; with `positionDumpPauseMs`, a pause after the first (a slow
 * TWS). Dumps on one connection never interleave: each starts after the previous one ended.
 */
function sendPositionDump(tws: FakeTws, session: FakeSession): void {
  session.positionDumps = session.positionDumps.then(async () => {
    const [first, ...rest] = tws.account.positions().map((p) => position(p.account, p.contract, p.quantity, p.avgCost));
    if (first) session.send(first);
    if (tws.positionDumpPauseMs > 0 && rest.length > 0) await new Promise((resolve) => setTimeout(resolve, tws.positionDumpPauseMs));
    for (const message of rest) session.send(message);
    session.send(positionEnd());
  });
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { S: 1_000, D: 86_400_000, W: 7 * 86_400_000 };

/** Bars (epoch-second times) starting in [end - duration, end); all bars when the request names no window. */
function barsInWindow(bars: readonly FakeBar[], endDateTime: string, duration: string): FakeBar[] {
  const endMs = parseFilterTime(endDateTime);
  const match = /^(\d+) ([SDW])$/.exec(duration);
  const unitMs = match ? DURATION_UNIT_MS[match[2] ?? ""] : undefined;
  if (endMs === null || !match || unitMs === undefined) return [...bars];
  const startMs = endMs - Number(match[1]) * unitMs;
  return bars.filter((b) => Number(b.time) * 1000 >= startMs && Number(b.time) * 1000 < endMs);
}

function startApi(tws: FakeTws, session: FakeSession, clientId: number): void {
  const taken = tws.clientIdsInUse.has(clientId) || tws.apiSessions().some((s) => s !== session && s.clientId === clientId);
  if (taken) {
    session.send(errorMessage(-1, 326, CLIENT_ID_IN_USE));
    session.end();
    return;
  }
  session.clientId = clientId;
  session.send(managedAccounts(tws.account.accounts));
  if (tws.withholdNextValidId) session.owesNextValidId = true;
  else session.send(nextValidId(tws.account.nextOrderIdOf(clientId, tws.nextOrderId)));
  for (const [code, message] of FARMS_OK) session.send(errorMessage(-1, code, message));
}

function subscribeMarketData(tws: FakeTws, session: FakeSession, reqId: number, requested: RequestedContract, snapshot: boolean): void {
  const contract = tws.resolve(requested);
  if (!contract) {
    session.send(errorMessage(reqId, 200, "No security definition has been found for the request"));
    return;
  }
  if (tws.marketDataMode === "delayed") session.send(marketDataType(reqId, tws.marketDataTypeCode()));
  sendCurrent(tws, session, reqId, contract);
  if (snapshot) session.send(tickSnapshotEnd(reqId));
  else session.marketData.set(reqId, { contract });
}

function sendCurrent(tws: FakeTws, session: FakeSession, reqId: number, contract: FakeContract): void {
  if (contract.secType === "STK") {
    const quote = tws.quotes.get(contract.symbol);
    if (quote) tws.sendQuote(session, reqId, quote);
    return;
  }
  const greeks = tws.greeks.get(contract.conId);
  if (greeks) tws.sendGreeks(session, reqId, greeks);
}

function placeOrder(tws: FakeTws, session: FakeSession, request: ClientRequest & { type: "place_order" }): void {
  const clientId = session.clientId ?? 0;
  if (tws.account.order(request.orderId, clientId)) {
    session.send(errorMessage(request.orderId, 103, "Duplicate order id"));
    return;
  }
  const contract = tws.resolve(request.contract);
  if (!contract) {
    session.send(errorMessage(request.orderId, 200, "No security definition has been found for the request"));
    return;
  }
  const order = tws.account.addOrder({
    orderId: request.orderId, clientId, contract, action: request.action, totalQuantity: request.totalQuantity,
    orderType: request.orderType, limitPrice: request.limitPrice, tif: request.tif,
    account: request.account === "" ? tws.account.defaultAccount : request.account, orderRef: request.orderRef,
  });
  session.send(openOrder(order));
  session.send(orderStatus(order));
  const policy = tws.orderPolicy;
  switch (policy.type) {
    case "work":
      return;
    case "reject":
      return tws.rejectOrder(order.orderId, policy.message, clientId);
    case "hold_for_locate":
      return tws.holdOrderForLocate(order.orderId, clientId, policy.shownAs);
    case "fill": {
      const quote = tws.quotes.get(contract.symbol);
      const price = (order.action === "BUY" ? quote?.ask : quote?.bid) ?? quote?.last ?? order.limitPrice ?? 0;
      return tws.fillOrder(order.orderId, order.totalQuantity, price, policy.commissionPerShare * order.totalQuantity, clientId);
    }
    default: {
      const unreachable: never = policy;
      throw new Error(`unknown order policy ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Only the client that placed an order can cancel it; another client's order of that number is not found. */
function cancelOrder(tws: FakeTws, session: FakeSession, orderId: number): void {
  const clientId = session.clientId ?? 0;
  const order = tws.account.order(orderId, clientId);
  if (!order) {
    session.send(errorMessage(orderId, 10147, `OrderId ${orderId} that needs to be cancelled is not found.`));
    return;
  }
  if (!isWorking(order)) {
    session.send(errorMessage(orderId, 10148, `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: ${order.status}.`));
    return;
  }
  tws.cancelOrderFromTws(orderId, clientId);
}

function sendOpenOrders(tws: FakeTws, session: FakeSession, scope: "client" | "all"): void {
  for (const order of tws.workingOrders()) {
    if (scope === "client" && order.clientId !== session.clientId) continue;
    session.send(openOrder(order));
    session.send(orderStatus(order));
  }
  session.send(openOrderEnd());
}

function sendExecutions(tws: FakeTws, session: FakeSession, reqId: number, filter: ExecutionFilter): void {
  const sinceMs = parseFilterTime(filter.time);
  const selected = tws.account.executions().filter((e) => matchesFilter(e, filter, sinceMs));
  const commissionOf = (e: FakeExecution) => commissionReport(e.execId, e.commission, e.contract.currency);
  const commissions = selected.map(commissionOf);
  switch (tws.commissionsOfExecutionsAnswer) {
    case "with_each_execution":
      for (const execution of selected) {
        session.send(execDetails(reqId, execution));
        session.send(commissionOf(execution));
      }
      session.send(execDetailsEnd(reqId));
      return;
    case "after_end_same_write":
      session.sendTogether([...selected.map((execution) => execDetails(reqId, execution)), execDetailsEnd(reqId), ...commissions]);
      return;
    case "withheld":
      for (const execution of selected) session.send(execDetails(reqId, execution));
      session.send(execDetailsEnd(reqId));
      for (const commission of commissions) tws.withholdCommission(session, commission);
      return;
    default: {
      const unreachable: never = tws.commissionsOfExecutionsAnswer;
      throw new Error(`unknown commission placement ${String(unreachable)}`);
    }
  }
}

function matchesFilter(e: FakeExecution, filter: ExecutionFilter, sinceMs: number | null): boolean {
  if (filter.clientId > 0 && e.clientId !== filter.clientId) return false;
  if (filter.account !== "" && e.account !== filter.account) return false;
  if (sinceMs !== null && e.tsMs < sinceMs) return false;
  if (filter.symbol !== "" && e.contract.symbol !== filter.symbol) return false;
  if (filter.secType !== "" && e.contract.secType !== filter.secType) return false;
  if (filter.side !== "" && (filter.side === "BUY" ? "BOT" : "SLD") !== e.side) return false;
  return true;
}
