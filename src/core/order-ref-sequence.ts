// Where orderRefs come from: `<prefix><n>` with n counting up from 1, so refs from one
// sequence are unique by construction as long as its prefix is unique to the issuer (the
// daemon's carries its id and start time). The order tracker then needs no set of every ref
// of the day to refuse a reused one: hashing each fresh ref was most of an order's cost in a
// backtest.

/** "0".."999", and the same padded to three digits ("000".."999"). */
const SHORT_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, k) => String(k));
const PADDED_DIGITS: readonly string[] = SHORT_DIGITS.map((digits) => digits.padStart(3, "0"));

export class OrderRefSequence {
  private issuedCount = 0;
  private thousands = 0;
  private thousandsPrefix: string;
  /** The ref next() returned last (null before the first). */
  latest: string | null = null;

  constructor(readonly prefix: string) {
    this.thousandsPrefix = prefix;
  }

  next(): string {
    const n = ++this.issuedCount;
    // `${prefix}${n}` without formatting n each time (about 100 ns of a backtest's hedge): the
    // prefix with n's thousands, formatted once per thousand, then its last three digits.
    const thousands = Math.floor(n / 1000);
    if (thousands !== this.thousands) {
      this.thousands = thousands;
      this.thousandsPrefix = thousands === 0 ? this.prefix : `${this.prefix}${thousands}`;
    }
    const last = n - thousands * 1000;
    this.latest = this.thousandsPrefix + (thousands === 0 ? SHORT_DIGITS[last] : PADDED_DIGITS[last]);
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
