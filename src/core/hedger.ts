// The Hedger: one deterministic, stateful object that the daemon (live) and the backtest
// (replay) drive with the same calls in the same order, so both make the same decisions.
// It never reads a clock: every input carries its time (`nowMs` / `tsEventMs`).
//
// Typical cycle (daemon and backtest alike):
//   hedger.setPositions(positions, nowMs)          // on reconcile and on every position report
//   hedger.onQuote(quote)                          // every tick / bar
//   hedger.onOptionGreeks(key, greeks)             // broker greeks (or the backtest's IV)
//   const d = hedger.evaluate(nowMs)               // hedge | hold(reason) | deny(code, context)
//   if (d.type === "hedge") {
//     const order = hedger.createOrder(d, nowMs, refs)       // ref from the caller's sequence; in flight now
//     try { hedger.onOrderAccepted(order.orderRef, broker.placeOrder(order), nowMs) }
//     catch (e) { hedger.onOrderSendFailed(order.orderRef, String(e), nowMs) }
//   }
//   broker events -> onOrderStatus / onExecution / onCommission
//   for (const ref of hedger.timedOutOrders(nowMs)) { hedger.onCancelRequested(ref, nowMs); broker.cancelOrder(ref) }
import { dailyStateOf, type HedgerDailyState, restoreDailyState } from "./daily-state.ts";
import { DayPnl } from "./day-pnl.ts";
import { CompiledGuardChain } from "./compiled-guard-chain.ts";
import { buildGuardChain, type Guard } from "./guards.ts";
import type { GuardCode, HedgeDecision, HoldReason } from "./hedge-decision.ts";
import { HedgeBook } from "./hedge-book.ts";
import { hedgeOrderFor } from "./hedge-order.ts";
import { createHedgePolicy, type HedgePolicy, type SizingHold } from "./hedge-policy.ts";
import type { HardBlock, OptionGreeksInput, OrderStatusInput, QuoteInput, QuoteKind } from "./hedger-inputs.ts";
import type { HedgerParams } from "./hedger-params.ts";
import { HedgerParamsError, hedgerParamsProblems } from "./hedger-params-check.ts";
import type { HedgerSnapshot } from "./hedger-snapshot.ts";
import { buildSnapshot, MutableGuardState } from "./hedger-view.ts";
import type { Position } from "./instrument.ts";
import { LegBook } from "./leg-book.ts";
import { exchangeDayAt, type ExchangeDay } from "./nyse-calendar.ts";
import type { CommissionReport, ExecutionReport, HedgeOrder, RecordedFill } from "./order.ts";
import { type ExecutionReplacement, OrderTracker } from "./order-tracker.ts";
import type { OrderRefSequence } from "./order-ref-sequence.ts";
import { PositionReconciler } from "./position-reconciler.ts";
import { RealizedVolEstimator } from "./realized-vol.ts";

export type { HardBlock, OptionGreeksInput, OrderStatusInput, QuoteInput } from "./hedger-inputs.ts";

type HedgeDecisionOf<T extends HedgeDecision["type"]> = Extract<HedgeDecision, { type: T }>;

const HOLD_NO_SPOT: HedgeDecision = Object.freeze({ type: "hold", reason: "no_spot", deltaShares: null });
const HOLD_NO_LEGS: HedgeDecision = Object.freeze({ type: "hold", reason: "no_legs", deltaShares: null });
/** Far above the rounding of the quiet floor's sums (a few µUSD at most), far below a move worth the exact sum. */
const QUIET_FLOOR_MARGIN_USD = 1;

/** `| 0`: an int32 in every JIT tier, as finishSize's (Math.abs boxes a double in optimised code). */
const hedgeOf = (wantedShares: number, forced: boolean, deltaShares: number, spot: number): HedgeDecisionOf<"hedge"> => ({
  type: "hedge",
  side: wantedShares > 0 ? "BUY" : "SELL",
  quantityShares: Math.abs(wantedShares) | 0,
  forced,
  deltaShares,
  spot,
});

const validPrice = (x: number | null): x is number => x !== null && x > 0 && Number.isFinite(x);

export class Hedger {
  readonly policy: HedgePolicy;
  readonly guards: readonly Guard[];
  private readonly guardChain: CompiledGuardChain;
  /** Internal parts, read by the status view; not for callers to mutate. */
  readonly legs: LegBook;
  readonly book = new HedgeBook();
  readonly orders = new OrderTracker();
  readonly realizedVol = new RealizedVolEstimator();
  readonly pnl = new DayPnl();
  readonly positions: PositionReconciler;

  bid: number | null = null;
  ask: number | null = null;
  last: number | null = null;
  spot: number | null = null;
  quoteTsMs: number | null = null;
  quoteKind: QuoteKind = "live";
  brokerConnected = false;
  paused = false;
  hardBlock: HardBlock | null = null;
  dailyHedgeCount = 0;
  lastHedgeTsMs: number | null = null;
  lastHedgePrice: number | null = null;
  circuitBreakerTripped = false;
  /** Updated in place on every evaluation (tsMs NaN: none yet); snapshot copies it. */
  readonly lastDecision: { type: HedgeDecision["type"]; code: GuardCode | HoldReason | null; tsMs: number } = { type: "hold", code: null, tsMs: Number.NaN };

  /** Portfolio delta of the last quietHold() call, shares (what its decision carries), and the trade it wanted. */
  get quietDeltaShares(): number {
    return this.quietRaw[0] as number;
  }
  quietWantedShares = 0;
  /** The last quietDenial() found the trade quietHold() wanted allowed: quietHedge() may take it. */
  private quietTradeAllowed = false;
  /**
   * Held raw: quietHold() runs on most bars of a replay, and a double field is boxed on every
   * store. [0] the delta of the last quietHold(); [1] the hedge shares and [2] the floor of
   * hedge shares × spot + the legs' value near which today's PnL may reach the loss limit, as
   * quietUntilMs() found them (NaN floor: no breaker to latch).
   */
  private readonly quietRaw = Float64Array.of(0, 0, Number.NaN);
  /** Since when a leg has been on the model for lack of fresh broker greeks (null: none is). */
  modelGreeksSinceMs: number | null = null;

  private day: ExchangeDay | null = null;
  private volDayEndMs = Number.NEGATIVE_INFINITY;
  private readonly guardState = new MutableGuardState();

  /** Throws HedgerParamsError listing every impossible value. */
  constructor(readonly params: HedgerParams) {
    const problems = hedgerParamsProblems(params);
    if (problems.length > 0) throw new HedgerParamsError(problems);
    this.policy = createHedgePolicy(params.hedge);
    this.guards = buildGuardChain(params.guards);
    this.guardChain = new CompiledGuardChain(this.guards);
    this.legs = new LegBook(params.strategy);
    this.positions = new PositionReconciler(params.positionSettleMs, this.book, this.orders, params.outsideStockChange);
  }

  // ---- inputs -------------------------------------------------------------------------

  /**
   * All positions of the traded account (the Hedger picks its own: the symbol's stock, less
   * params.externalShares, and option legs; pass one account's positions). The stock position
   * becomes the book's baseline on the first call; later reports are compared with the book
   * (baseline + own fills by execId). A disagreement that lasts `positionSettleMs`, with no
   * order in flight and no own fill in that time, is a manual trade: adopted, or held back as
   * a hard block (params.outsideStockChange). Shorter disagreements are report lag and change
   * nothing.
   * Legs are latched (see legs.ts): a held leg stays a leg while held, even out of the band.
   * Legs are selected again at once when a spot is known: a leg closed or resized leaves its
   * PnL at its mark now (see leg-baselines.ts).
   */
  setPositions(positions: readonly Position[], nowMs: number): void {
    this.rollDay(nowMs);
    let stock: Position | null = null;
    for (const p of positions) {
      if (p.contract.secType === "STK" && p.contract.symbol === this.params.strategy.symbol) stock = p;
    }
    this.positions.onReport((stock === null ? 0 : stock.quantity) - this.params.externalShares, stock === null ? 0 : stock.avgCost, nowMs);
    this.legs.setPositions(positions);
    if (this.legs.dirty && this.spot !== null) this.legs.reselect(this.spot, nowMs);
  }

  /** Quote of the underlying. Spot = mid when both sides are sane, else last; an unusable quote keeps the old one. */
  onQuote(quote: QuoteInput): void {
    const bid = validPrice(quote.bid) ? quote.bid : null;
    const ask = validPrice(quote.ask) ? quote.ask : null;
    const last = validPrice(quote.last) ? quote.last : null;
    const spot = bid !== null && ask !== null && ask >= bid ? (bid + ask) / 2 : last;
    if (spot === null) return;
    this.keepQuote(bid, ask, last ?? this.last, spot, quote.tsEventMs, quote.kind ?? "live");
    if (quote.tsEventMs >= this.volDayEndMs) {
      this.realizedVol.reset();
      this.volDayEndMs = exchangeDayAt(quote.tsEventMs).endMs;
    }
    this.realizedVol.add(spot, quote.tsEventMs);
  }

  /** Broker greeks for one option (contractKey() of the option). */
  onOptionGreeks(contractKey: string, greeks: OptionGreeksInput): void {
    this.legs.onGreeks(contractKey, greeks);
  }

  setBrokerConnected(connected: boolean, nowMs: number): void {
    this.rollDay(nowMs);
    this.brokerConnected = connected;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
  }

  /** The operator accepts the broker's last stock report (less externalShares) as the hedge: the book takes it now. Null before any report. */
  adoptReportedPosition(): number | null {
    return this.positions.adoptReport() ? this.book.shares : null;
  }

  /** What blocks all hedging now: the block set from outside, else an outside stock change held back; null when nothing does. */
  get activeHardBlock(): HardBlock | null {
    return this.hardBlock ?? this.positions.heldBack;
  }

  /** A hard block (e.g. `reconcile_mismatch`) stops all hedging until cleared with null. */
  setHardBlock(block: HardBlock | null): void {
    this.hardBlock = block;
  }

  /**
   * Time passes: the day rolls and a position disagreement that outlived the settle time is
   * adopted. `evaluate` does this itself; call it also when not evaluating (paused, no quotes),
   * because a broker reports a manual trade once and then stays silent.
   */
  tick(nowMs: number): void {
    this.rollDay(nowMs);
    if (this.positions.mismatchSinceMs !== null) this.positions.settle(nowMs);
  }

  // ---- decision ------------------------------------------------------------------------

  /**
   * Decide what to do now. The hold path allocates nothing but the returned decision (and
   * not even that without spot or legs); guards run only when the policy wants a hedge.
   * Every evaluation with a spot and live legs marks today's PnL and may latch the breaker,
   * whatever the policy wants.
   */
  evaluate(nowMs: number): HedgeDecision {
    this.tick(nowMs);
    const spot = this.spot;
    if (spot === null) return this.decided(HOLD_NO_SPOT, nowMs);
    if (this.legs.needsSelection) this.legs.reselect(spot, nowMs);
    if (this.legs.count === 0) return this.decided(HOLD_NO_LEGS, nowMs);
    if (!this.legs.computeDeltaGamma(spot, nowMs)) return this.hold("leg_expired", null, nowMs);
    const dailyPnl = this.markDay(spot, nowMs);
    const deltaShares = this.legs.optionDeltaShares + this.book.shares + this.orders.pendingShares;
    if (this.orders.liveCount > 0) return this.hold("order_in_flight", deltaShares, nowMs);
    if (this.awaitingBrokerGreeks(nowMs)) return this.hold("awaiting_broker_greeks", deltaShares, nowMs);
    const wanted = this.policy.wantedShares(deltaShares, this.legs.gammaShares, spot);
    if (typeof wanted === "string") return this.hold(wanted, deltaShares, nowMs);
    const forced = Math.abs(deltaShares) >= this.params.hedge.forcedDeltaShares;
    const denial = this.guardChain.firstDenial(this.fillGuardState(nowMs, spot, wanted, forced, dailyPnl));
    if (denial !== null) {
      return this.decided({ type: "deny", code: denial.code, context: denial.context, deltaShares, wantedShares: wanted, forced }, nowMs);
    }
    return this.decided(hedgeOf(wanted, forced, deltaShares, spot), nowMs);
  }

  /**
   * Until when (ms, exclusive) the Hedger is quiet; -Infinity when it is not. Quiet: legs
   * selected and, at the last evaluation, all priced from fresh broker greeks; the day's
   * marks taken (the hedge's and every leg's baseline); no order in flight or owed; no position disagreement settling. Until the
   * day ends or a leg expires, a live quote that comes with every leg's fresh broker greeks
   * then changes nothing a later decision reads (quote and greeks are overwritten by the next
   * ones, realised vol is for status), and evaluate() on it returns the hold quietHold() finds,
   * the denial quietDenial() finds, or the hedge quietHedge() gives once quietDenial() allowed
   * it. A replay may skip those calls on such quotes: it saves the per-bar protocol on the bars
   * where nothing can happen, and on a hedge's bar everything but the order's life cycle.
   */
  quietUntilMs(): number {
    const day = this.day;
    if (day === null || this.spot === null || this.legs.dirty || this.legs.count === 0 || !this.legs.allOnBrokerGreeks) return Number.NEGATIVE_INFINITY;
    if (this.pnl.hedgeOpenValueUsd === null || this.legs.unmarkedCount !== 0 || this.orders.liveCount !== 0 || this.orders.pendingShares !== 0 || this.positions.mismatchSinceMs !== null) {
      return Number.NEGATIVE_INFINITY;
    }
    this.takeQuietBreakerFloor();
    const expiryMs = this.legs.firstExpiryMs;
    return expiryMs < day.endMs ? expiryMs : day.endMs;
  }

  /**
   * While quiet (quietUntilMs() asked since the last change, as a replay does before each quiet
   * stretch and after each quiet hedge): the hold evaluate() would return for legs whose fresh
   * broker greeks sum to these shares (Σ quantity × multiplier × delta, and × gamma, legs in
   * book order) and whose fresh broker prices sum to legValueUsd (Σ quantity × multiplier ×
   * price), or null when the policy wants a trade (its size then in quietWantedShares, for
   * quietDenial). Its delta is left in quietDeltaShares; the circuit breaker latches as
   * evaluate() latches it; nothing else changes.
   */
  quietHold(legDeltaShares: number, gammaShares: number, spot: number, legValueUsd: number): SizingHold | null {
    const raw = this.quietRaw;
    // Only near the loss limit does the sum evaluate() takes decide (a NaN floor never compares true).
    if ((raw[1] as number) * spot + legValueUsd <= (raw[2] as number)) this.latchBreaker(this.quietDayPnlUsd(spot, legValueUsd));
    const deltaShares = legDeltaShares + this.book.shares + this.orders.pendingShares;
    raw[0] = deltaShares;
    this.quietTradeAllowed = false;
    const wanted = this.policy.wantedShares(deltaShares, gammaShares, spot);
    if (typeof wanted === "string") return wanted;
    this.quietWantedShares = wanted;
    return null;
  }

  /**
   * While quiet, after quietHold() found a trade wanted on the live quote (bid, ask) at nowMs:
   * the code of the guard that denies it, the legs' fresh broker prices summing to legValueUsd
   * (as given to quietHold); null when no guard denies it, and quietHedge() may then take the
   * trade (quietTradeAllowed). Nothing else changes.
   */
  quietDenial(nowMs: number, spot: number, bid: number, ask: number, legValueUsd: number): GuardCode | null {
    const forced = Math.abs(this.quietDeltaShares) >= this.params.hedge.forcedDeltaShares;
    const state = this.guardState.fillForQuote(this, nowMs, spot, bid, ask, legValueUsd, this.quietWantedShares, forced);
    const code = this.guardChain.firstDenyingCode(state);
    this.quietTradeAllowed = code === null;
    return code;
  }

  /**
   * While quiet, once quietDenial() allowed the trade quietHold() wanted on the live quote
   * (bid, ask; spot its mid) at nowMs: the hedge evaluate() returns on that quote, the quote
   * kept as onQuote() keeps it (bar its realised-vol sample: that feeds status only, and a
   * quiet bar takes none). Its order then goes through createOrder() and the life cycle like
   * any other.
   */
  quietHedge(nowMs: number, spot: number, bid: number, ask: number): HedgeDecisionOf<"hedge"> {
    if (!this.quietTradeAllowed) throw new Error("quietHedge() needs the trade the last quietDenial() allowed, expected quietHold() and quietDenial() on this quote first");
    this.quietTradeAllowed = false;
    this.keepQuote(bid, ask, spot, spot, nowMs, "live");
    const deltaShares = this.quietDeltaShares;
    const decision = hedgeOf(this.quietWantedShares, Math.abs(deltaShares) >= this.params.hedge.forcedDeltaShares, deltaShares, spot);
    this.decided(decision, nowMs);
    return decision;
  }

  /**
   * Turn a hedge decision into an order with the next ref of `refs` (every order of a Hedger
   * takes its ref from one sequence) and put it in flight: its shares count toward delta at
   * once; the daily count, cooldown clock and last hedge price move now (a send that fails
   * still counts: limits err on the safe side).
   */
  createOrder(decision: HedgeDecisionOf<"hedge">, nowMs: number, refs: OrderRefSequence): HedgeOrder {
    // The type already says so; this stops untyped callers from turning a denial into an order.
    if (decision.type !== "hedge") throw new Error(`createOrder needs a hedge decision, was ${JSON.stringify(decision)}`);
    this.rollDay(nowMs);
    const order = hedgeOrderFor(decision, this.params.hedge, this.params.strategy.symbol, refs.next(), this.bid, this.ask);
    this.orders.add(order, nowMs, refs);
    this.dailyHedgeCount++;
    this.lastHedgeTsMs = nowMs;
    this.lastHedgePrice = decision.spot;
    return order;
  }

  // ---- order life cycle ----------------------------------------------------------------

  /** placeOrder returned: the broker has the order. Late calls for an order already final are no-ops. */
  onOrderAccepted(orderRef: string, brokerOrderId: number, _nowMs: number): void {
    this.orders.accepted(orderRef, brokerOrderId);
  }

  /** placeOrder threw (not connected, refused): the order never reached the market. */
  onOrderSendFailed(orderRef: string, _reason: string, _nowMs: number): void {
    this.orders.sendFailed(orderRef);
  }

  /** Statuses of orders that are not this Hedger's are ignored. */
  onOrderStatus(status: OrderStatusInput): void {
    this.orders.status(status.orderRef, status.status, status.filledShares);
  }

  /**
   * Own executions move the book (once per execId, at the execution price); others' are ignored.
   * A correction of an execution the book holds restates that one (so shares and cash move by
   * the difference); a correction of one not seen yet counts as an execution, and the corrected
   * one adds nothing when it comes.
   */
  onExecution(execution: ExecutionReport): void {
    const replaced = execution.correctsExecId === undefined ? null : this.orders.replaceExecution(execution, this.book);
    if (replaced !== null) this.onReplaced(replaced, execution);
    else {
      const signed = this.orders.execution(execution, this.book);
      if (signed === 0) return;
      this.pnl.onOwnFill(signed, execution.price);
    }
    this.positions.onExecutionApplied(execution.tsEventMs);
  }

  /**
   * A correction of an execution gs recorded (`recorded`, from the daemon's memory or trail),
   * which the book may not hold: an earlier run's is in the broker position the book started
   * from, and one from before the day rolled is in the book's shares. Either way the book moves
   * by the difference, once. Without a record it is an ordinary execution report.
   */
  onCorrection(execution: ExecutionReport, recorded: RecordedFill | null): void {
    const replaced = recorded === null ? null : this.orders.replaceRecorded(execution, recorded, this.book);
    if (replaced === null) {
      this.onExecution(execution);
      return;
    }
    this.onReplaced(replaced, execution);
    this.positions.onExecutionApplied(execution.tsEventMs);
  }

  /** The book was restated by the tracker; today's PnL cash moves by the difference. */
  private onReplaced(replaced: ExecutionReplacement, execution: ExecutionReport): void {
    this.pnl.onOwnFill(-replaced.replacedSignedShares, replaced.replacedPrice);
    this.pnl.onOwnFill(replaced.signedShares, execution.price);
  }

  onCommission(commission: CommissionReport): void {
    const addUsd = this.orders.commissionToBook(commission);
    if (addUsd !== 0) this.book.addCommission(addUsd);
  }

  /** Live orders older than the order timeout that have not been asked to cancel yet. */
  timedOutOrders(nowMs: number): readonly string[] {
    return this.orders.timedOut(nowMs, this.params.hedge.orderTimeoutMs);
  }

  onCancelRequested(orderRef: string, _nowMs: number): void {
    this.orders.cancelRequested(orderRef);
  }

  // ---- state ---------------------------------------------------------------------------

  /** Everything the status row shows. Not for the hot path (allocates). */
  snapshot(nowMs: number): HedgerSnapshot {
    this.rollDay(nowMs);
    if (this.spot !== null && this.legs.needsSelection) this.legs.reselect(this.spot, nowMs);
    return buildSnapshot(this, nowMs, this.day!);
  }

  dailyState(nowMs: number): HedgerDailyState {
    this.rollDay(nowMs);
    return dailyStateOf(this, this.day!.day);
  }

  /** Restores a persisted day, before the first setPositions: counters and PnL marks only when it is today's; last hedge time/price always (newest wins). */
  restoreDailyState(state: HedgerDailyState, nowMs: number): void {
    this.rollDay(nowMs);
    restoreDailyState(this, state, this.day!.day);
  }

  /**
   * Today's strategy PnL, marked now (see markDay); null while the day has no mark yet and the
   * quote is not of this day (at midnight it is still yesterday's: the day opens on today's
   * first quote, evaluated or read, so a paused daemon's day opens too).
   */
  dailyPnlUsd(nowMs: number): number | null {
    this.rollDay(nowMs);
    const spot = this.spot;
    if (spot === null || (this.pnl.hedgeOpenValueUsd === null && (this.quoteTsMs ?? Number.NEGATIVE_INFINITY) < this.day!.startMs)) return null;
    if (this.legs.needsSelection) this.legs.reselect(spot, nowMs);
    return this.markDay(spot, nowMs);
  }

  /** While quiet (the day marked, every leg's baseline taken): today's PnL with the legs worth legValueUsd. O(1). */
  quietDayPnlUsd(spot: number, legValueUsd: number): number | null {
    const baselines = this.legs.baselines;
    return this.pnl.total(spot, legValueUsd - baselines.valueUsd + baselines.closedUsd, this.book.commissionsTodayUsd);
  }

  /** Fills the reusable guard state (no allocation). */
  fillGuardState(nowMs: number, spot: number, orderShares: number, forced: boolean, dailyPnlUsd: number | null): MutableGuardState {
    return this.guardState.fillFrom(this, nowMs, spot, orderShares, forced, dailyPnlUsd);
  }

  // ---- internals -----------------------------------------------------------------------

  /** The quote a decision and an order's limit price read (validated by the caller). */
  private keepQuote(bid: number | null, ask: number | null, last: number | null, spot: number, tsEventMs: number, kind: QuoteKind): void {
    this.bid = bid;
    this.ask = ask;
    this.last = last;
    this.spot = spot;
    this.quoteTsMs = tsEventMs;
    this.quoteKind = kind;
  }

  /**
   * Marks today's PnL at spot: the hedge's first mark of the day, hedge shares changed outside
   * own fills (they enter now), the legs' marks and first baselines; latches the circuit
   * breaker at or past the limit. O(legs).
   */
  private markDay(spot: number, nowMs: number): number | null {
    const pnl = this.pnl;
    const shares = this.book.shares;
    if (pnl.hedgeOpenValueUsd === null) pnl.openHedge(shares, spot);
    else if (pnl.hedgeShares !== shares) pnl.enterAtMark(shares, spot);
    const legs = this.legs;
    const strategy = this.params.strategy;
    // A guess at the fallback vol marks a leg only once the broker's greeks are not coming.
    legs.acceptFallbackMarks = strategy.greeksSource !== "broker" || (this.modelGreeksSinceMs !== null && nowMs - this.modelGreeksSinceMs >= strategy.brokerGreeksGraceMs);
    const baselines = legs.baselines;
    pnl.optionMtmUsd = legs.markLegs(spot, nowMs) - baselines.valueUsd + baselines.closedUsd;
    const total = pnl.total(spot, pnl.optionMtmUsd, this.book.commissionsTodayUsd);
    this.latchBreaker(total);
    return total;
  }

  /** The breaker stays tripped for the rest of the day once today's PnL is at or past the loss limit. */
  private latchBreaker(dailyPnlUsd: number | null): void {
    const limit = this.params.guards.maxDailyLossUsd;
    if (limit === null || dailyPnlUsd === null || dailyPnlUsd > -limit) return;
    this.circuitBreakerTripped = true;
    this.quietRaw[2] = Number.NaN;
  }

  /**
   * While quiet, today's PnL is hedge shares × spot + the legs' value + a constant (day-pnl.ts:
   * the hedge's cash and open value, the legs' baselines, commissions), which only a fill, a
   * commission, a leg change or the day's end moves, and each ends the quiet time or is
   * followed by quietUntilMs(). So quietHold() compares with a floor taken here, and leaves
   * the exact sum to the bars within QUIET_FLOOR_MARGIN_USD of it.
   */
  private takeQuietBreakerFloor(): void {
    const raw = this.quietRaw;
    const pnl = this.pnl;
    const limit = this.params.guards.maxDailyLossUsd;
    raw[1] = pnl.hedgeShares;
    if (limit === null || this.circuitBreakerTripped || pnl.hedgeOpenValueUsd === null) {
      raw[2] = Number.NaN;
      return;
    }
    const baselines = this.legs.baselines;
    const constantUsd = pnl.hedgeCashUsd - pnl.hedgeOpenValueUsd - baselines.valueUsd + baselines.closedUsd - this.book.commissionsTodayUsd;
    raw[2] = -limit - constantUsd + QUIET_FLOOR_MARGIN_USD;
  }

  /** After computeDeltaGamma: true while a leg waits for broker greeks within the grace period. */
  private awaitingBrokerGreeks(nowMs: number): boolean {
    if (this.legs.modelLegCount === 0) {
      this.modelGreeksSinceMs = null;
      return false;
    }
    this.modelGreeksSinceMs ??= nowMs;
    return nowMs - this.modelGreeksSinceMs < this.params.strategy.brokerGreeksGraceMs;
  }

  private hold(reason: HoldReason, deltaShares: number | null, nowMs: number): HedgeDecision {
    const last = this.lastDecision;
    last.type = "hold";
    last.code = reason;
    last.tsMs = nowMs;
    return { type: "hold", reason, deltaShares };
  }

  private decided(decision: HedgeDecision, nowMs: number): HedgeDecision {
    const last = this.lastDecision;
    last.type = decision.type;
    last.code = decision.type === "hold" ? decision.reason : decision.type === "deny" ? decision.code : null;
    last.tsMs = nowMs;
    return decision;
  }

  /**
   * Trading-day rollover at New York midnight: daily counters, breaker and PnL marks restart;
   * the legs are selected again (an option held may qualify on the new day).
   */
  private rollDay(nowMs: number): void {
    const day = this.day;
    if (day !== null && nowMs >= day.startMs && nowMs < day.endMs) return;
    const next = exchangeDayAt(nowMs);
    this.day = next;
    if (day === null || next.dayNumber === day.dayNumber) return;
    this.dailyHedgeCount = 0;
    this.circuitBreakerTripped = false;
    this.book.startNewDay();
    this.orders.startNewDay();
    this.pnl.startNewDay();
    this.legs.startNewDay();
    this.legs.dirty = true;
  }
}
