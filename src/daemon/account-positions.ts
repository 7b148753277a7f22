// The account's positions as the daemon keeps them: the list the Hedger is given, and the
// market data lines of the strategy's option legs (IB caps them: a closed leg gives its line
// back, a leg opened since gets one). A connection's reconciliation gives the whole list; until
// it has, reports only update it (see awaitReconciliation), and those newer than its list
// follow it.
import type { Broker } from "../broker/port.ts";
import type { Hedger } from "../core/hedger.ts";
import type { Contract, Position } from "../core/instrument.ts";
import { contractKey } from "../core/instrument.ts";

export interface AccountPositionsDeps {
  readonly hedger: Hedger;
  readonly broker: Broker;
  readonly marketNowMs: () => number;
}

export class AccountPositions {
  private readonly byKey = new Map<string, Position>();
  /** The current connection's reconciliation has applied its positions. */
  private reconciled = false;
  /** Reports received since the reconciliation began, in arrival order, until it applies its list. */
  private waiting: Position[] = [];

  constructor(private readonly deps: AccountPositionsDeps) {}

  /**
   * A connection's reconciliation is about to run. TWS sends the account's positions one
   * message at a time (the option legs may come before the stock), and the Hedger takes the
   * first list it is given as the book's baseline: a list without the stock would start a
   * restarted book at 0 shares and hedge the position again.
   */
  awaitReconciliation(): void {
    this.reconciled = false;
    this.waiting = [];
  }

  /** Now, as a mark for `reset`: how many reports have waited for the reconciliation so far. */
  reportMark(): number {
    return this.waiting.length;
  }

  /**
   * The reconciliation's positions, taken at `reportMark`, replace the list: their market data
   * is requested, that of legs gone given back. Reports that came after the mark are newer than
   * the list (IB never repeats an unchanged one): they follow at once as runtime reports, so
   * an own fill agrees with the book and a trade made outside gs meets the outside-change policy.
   */
  reset(positions: readonly Position[], reportMark: number): void {
    const newer = this.waiting.slice(reportMark);
    this.waiting = [];
    const before = [...this.byKey.values()];
    this.byKey.clear();
    for (const position of positions) if (position.quantity !== 0) this.byKey.set(contractKey(position.contract), position);
    const gone = before.filter((position) => this.isOptionOfStrategy(position) && !this.byKey.has(contractKey(position.contract)));
    if (gone.length > 0) this.deps.broker.unsubscribeMarketData(gone.map((position) => position.contract));
    const contracts: Contract[] = [{ secType: "STK", symbol: this.deps.hedger.params.strategy.symbol }];
    for (const position of this.byKey.values()) if (this.isOptionOfStrategy(position)) contracts.push(position.contract);
    this.deps.broker.subscribeMarketData(contracts);
    this.reconciled = true;
    this.deps.hedger.setPositions([...this.byKey.values()], this.deps.marketNowMs());
    for (const position of newer) this.onReport(position);
  }

  /**
   * A position report at runtime (a fill, or a trade made outside gs): a closed position
   * (quantity 0) leaves the list, an option leg giving its market data line back; an option leg
   * opened since reconciliation gets its market data now (brokers ignore a repeat subscription).
   */
  onReport(position: Position): void {
    // Waiting, it still moves the market data lines: a leg's greeks are there when hedging starts.
    if (!this.reconciled) this.waiting.push(position);
    const key = contractKey(position.contract);
    if (position.quantity === 0) {
      if (this.byKey.delete(key) && this.isOptionOfStrategy(position)) this.deps.broker.unsubscribeMarketData([position.contract]);
    } else {
      if (!this.byKey.has(key) && this.isOptionOfStrategy(position)) this.deps.broker.subscribeMarketData([position.contract]);
      this.byKey.set(key, position);
    }
    if (this.reconciled) this.deps.hedger.setPositions([...this.byKey.values()], this.deps.marketNowMs());
  }

  private isOptionOfStrategy(position: Position): boolean {
    return position.contract.secType === "OPT" && position.contract.symbol === this.deps.hedger.params.strategy.symbol;
  }
}
