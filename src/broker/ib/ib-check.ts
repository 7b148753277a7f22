// What `gs check ib` reports: a read-only look through the Broker port at what gs would
// see and manage. Never places or cancels an order.
import { contractKey } from "../../core/instrument.ts";
import type { Contract, Position } from "../../core/instrument.ts";
import { legRejection, selectLegs } from "../../core/legs.ts";
import type { LegRejection, LegSelectionParams, SelectedLeg } from "../../core/legs.ts";
import type { Broker, BrokerConnectionInfo, BrokerEvent } from "../port.ts";

export interface QuoteSnapshot {
  readonly bid: number | null;
  readonly ask: number | null;
  readonly last: number | null;
  readonly kind: string;
}

export interface GreeksSnapshot {
  readonly impliedVol: number | null;
  readonly delta: number | null;
  readonly gamma: number | null;
  readonly vega: number | null;
  readonly theta: number | null;
}

export interface IbCheckReport {
  readonly connection: BrokerConnectionInfo;
  readonly positions: readonly Position[];
  readonly spot: number | null;
  readonly underlying: QuoteSnapshot | null;
  readonly legs: readonly { readonly leg: SelectedLeg; readonly greeks: GreeksSnapshot | null }[];
  readonly notManaged: readonly { readonly contractKey: string; readonly reason: LegRejection | "no_spot" }[];
  readonly messages: readonly string[];
}

export interface IbCheckParams {
  readonly legSelection: LegSelectionParams;
  /** How long to wait for the underlying quote, then for the legs' greeks. */
  readonly waitMs: number;
  readonly nowMs: () => number;
}

export async function runIbCheck(broker: Broker, params: IbCheckParams): Promise<IbCheckReport> {
  const messages: string[] = [];
  const quotes = new Map<string, QuoteSnapshot>();
  const greeks = new Map<string, GreeksSnapshot>();
  const off = broker.onEvent((event: BrokerEvent) => {
    switch (event.type) {
      case "quote":
        quotes.set(event.symbol, { bid: event.bid, ask: event.ask, last: event.last, kind: event.kind });
        return;
      case "option_greeks":
        greeks.set(event.contractKey, event);
        return;
      case "market_data_health":
        if (!event.ok) messages.push(`market data: ${event.message}`);
        return;
      case "connection":
        if (event.state !== "connected") messages.push(`connection ${event.state}: ${event.message}`);
        return;
      case "position":
      case "positions_end":
      case "order_status":
      case "order_warning":
      case "execution":
      case "commission":
        return;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown broker event ${JSON.stringify(unreachable)}`);
      }
    }
  });
  try {
    const connection = await broker.connect();
    const positions = await broker.positions();
    const symbol = params.legSelection.symbol;
    broker.subscribeMarketData([{ secType: "STK", symbol }]);
    const underlying = await waitFor(() => {
      const q = quotes.get(symbol);
      return q && (q.last !== null || (q.bid !== null && q.ask !== null)) ? q : undefined;
    }, params.waitMs);
    const spot = underlying ? spotOf(underlying) : null;
    const options = positions.filter((p) => p.contract.secType === "OPT" && p.contract.symbol === symbol);
    const legs = spot === null ? [] : selectLegs([], positions, spot, params.nowMs(), params.legSelection);
    const managed = new Set(legs.map((l) => l.contractKey));
    const notManaged = options
      .filter((p) => !managed.has(contractKey(p.contract)))
      .map((p) => ({
        contractKey: contractKey(p.contract),
        reason: spot === null || p.contract.secType !== "OPT" ? ("no_spot" as const) : legRejection(p.contract, p.quantity, spot, params.nowMs(), params.legSelection) ?? ("no_spot" as const),
      }));
    if (spot === null) messages.push(`no quote for ${symbol} within ${params.waitMs / 1000}s: legs cannot be selected without a spot price`);
    const legContracts: Contract[] = legs.map((l) => l.contract);
    broker.subscribeMarketData(legContracts);
    await waitFor(() => (legs.every((l) => greeks.has(l.contractKey)) ? true : undefined), params.waitMs);
    return {
      connection, positions, spot, underlying: underlying ?? null,
      legs: legs.map((leg) => ({ leg, greeks: greeks.get(leg.contractKey) ?? null })),
      notManaged, messages,
    };
  } finally {
    off();
    await broker.disconnect();
  }
}

function spotOf(q: QuoteSnapshot): number | null {
  if (q.bid !== null && q.ask !== null) return (q.bid + q.ask) / 2;
  return q.last;
}

async function waitFor<T>(find: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
