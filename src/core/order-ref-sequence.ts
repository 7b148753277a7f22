// Where orderRefs come from: `<prefix><n>` with n counting up from 1, so refs from one
// sequence are unique by construction as long as its prefix is unique to the issuer (the
// daemon's carries its id and start time). The order tracker then needs no set of every ref
// of the day to refuse a reused one: hashing each fresh ref was most of an order's cost in a
// backtest.

export class OrderRefSequence {
  private issuedCount = 0;
  /** The ref next() returned last (null before the first). */
  latest: string | null = null;

  constructor(readonly prefix: string) {}

  next(): string {
    this.issuedCount++;
    this.latest = `${this.prefix}${this.issuedCount}`;
    return this.latest;
  }

  /** Refs issued so far: `latest` is the ref numbered so. */
  get count(): number {
    return this.issuedCount;
  }

  /** True for a ref this sequence issued. */
  issued(orderRef: string): boolean {
    if (!orderRef.startsWith(this.prefix)) return false;
    const digits = orderRef.slice(this.prefix.length);
    const n = Number(digits);
    return Number.isInteger(n) && n >= 1 && n <= this.issuedCount && String(n) === digits;
  }
}
