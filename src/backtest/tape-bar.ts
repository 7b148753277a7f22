// Where a bar's numbers sit in a market tape: bar i's fields at i * TAPE_BAR_FIELDS + offset,
// in one Float64Array read front to back. Kept as 13 columns, the replay's quiet loop read 13
// streams at once and ran 2.5-3x slower on the same arithmetic (the prefetcher and the
// registers could not keep up with that many arrays).
export const BID = 0;
export const ASK = 1;
/** The quote's mid: the price of record. */
export const SPOT = 2;
/** When the bar is decided: just before it (or its session) closes. */
export const NOW_MS = 3;
export const VOL = 4;
// The marks of the straddle held at the bar's decision, per share of the option in core's
// units (theta per year, vega per 1.00 of vol); gamma and vega are the same for both legs.
export const CALL_PRICE = 5;
export const PUT_PRICE = 6;
export const CALL_DELTA = 7;
export const PUT_DELTA = 8;
export const CALL_THETA = 9;
export const PUT_THETA = 10;
export const GAMMA = 11;
export const VEGA = 12;
export const TAPE_BAR_FIELDS = 13;
