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

  /** True for refs this daemon (any run of it) created; other strategies' orders are never touched. */
  ownsOrderRef(orderRef: string): boolean {
    return orderRef.startsWith(`${ORDER_REF_PREFIX}${this.daemonId}:`);
  }
}
