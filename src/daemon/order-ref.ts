// Unique ids the daemon stamps on what it writes: orderRef for every order (attribution at
// the broker, `gs:<daemonId>:<symbol>:<run>.<seq>`) and opId for every operation row. The run
// part is the daemon's start time in base 36, so ids stay unique across restarts.

import { OrderRefSequence } from "../core/order-ref-sequence.ts";

const ORDER_REF_PREFIX = "gs:";

export class DaemonIds {
  private opSeq = 0;
  private readonly run: string;
  /** This run's orderRefs. */
  readonly orderRefs: OrderRefSequence;

  constructor(
    readonly daemonId: string,
    readonly symbol: string,
    startMs: number,
  ) {
    this.run = startMs.toString(36);
    this.orderRefs = new OrderRefSequence(`${ORDER_REF_PREFIX}${this.daemonId}:${this.symbol}:${this.run}.`);
  }

  nextOpId(): string {
    this.opSeq += 1;
    return `${this.daemonId}:${this.run}:${this.opSeq}`;
  }

  /** True for an opId this run stamped (rows of earlier runs of the daemon id are not). */
  isThisRunsOpId(opId: string): boolean {
    return opId.startsWith(`${this.daemonId}:${this.run}:`);
  }

  /**
   * True for refs this daemon (any run of it) created for its symbol; other strategies' orders are
   * never touched. The symbol counts: two daemons left on the default daemon_id, or one whose
   * strategy.symbol changed, must not cancel or count each other's orders.
   */
  ownsOrderRef(orderRef: string): boolean {
    return orderRef.startsWith(`${ORDER_REF_PREFIX}${this.daemonId}:${this.symbol}:`);
  }

  /** A ref with this daemon id for another symbol: another daemon shares the id, or the symbol changed. */
  isSameIdOtherSymbol(orderRef: string): boolean {
    return orderRef.startsWith(`${ORDER_REF_PREFIX}${this.daemonId}:`) && !this.ownsOrderRef(orderRef);
  }
}
