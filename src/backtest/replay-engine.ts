// The backtest loop over the market tape (quotes, times, vols, rolls and marks, recorded
// first: see market-tape.ts). Each bar attributes its PnL with the previous bar's greeks,
// hands the Hedger the broker events the daemon would see, executes its decision on the
// simulated venue, then trades the tape's roll when one is due. On a quiet bar
// (Hedger.quietUntilMs: nothing in flight; at this bar's greeks its policy holds, or a guard
// denies the trade it wants) the Hedger's calls would change nothing and return that hold or
// denial, so the bar takes it without them: most bars of a run, in one tight loop that
// allocates nothing. When the guards allow the trade, the bar takes the hedge evaluate() would
// return (Hedger.quietHedge) and sends its order through the same life cycle as step() does.
// The Hedger's bars allocate the quote's touch and the decision.
import type { GuardCode, HedgeDecision } from "../core/hedge-decision.ts";
import type { SizingHold } from "../core/hedge-policy.ts";
import type { Hedger } from "../core/hedger.ts";
import type { Position } from "../core/instrument.ts";
import { contractKey } from "../core/instrument.ts";
import { commissionUsd, quoteAround } from "../broker/sim/sim-fills.ts";
import type { SimExecutionCosts, SimTouch } from "../broker/sim/sim-fills.ts";
import type { BarSeries, IvSeries } from "../market-data/index.ts";
import type { BacktestParams } from "./backtest-params.ts";
import type { DecisionLog } from "./decision-log.ts";
import { GuardAudit } from "./guard-audit.ts";
import { HedgeVenue } from "./hedge-venue.ts";
import type { VenueFill } from "./hedge-venue.ts";
import { recordMarketTape } from "./market-tape.ts";
import type { MarketTape, TapeDay, TapeRoll } from "./market-tape.ts";
import { BrokerGreeksEvent, LegMark, markStraddle, optionCommissionUsd, optionHalfSpreadUsd, readStraddleMarks, YEAR_MS } from "./option-marks.ts";
import { PnlLedger } from "./pnl-ledger.ts";
import { RunRecorder } from "./run-recorder.ts";
import { ASK, BID, CALL_DELTA, CALL_PRICE, CALL_THETA, GAMMA, NOW_MS, PUT_DELTA, PUT_PRICE, PUT_THETA, SPOT, TAPE_BAR_FIELDS, VEGA, VOL } from "./tape-bar.ts";
import type { RunRecord } from "./run-recorder.ts";
import type { Straddle } from "./straddle-schedule.ts";

const BACKTEST_ACCOUNT = "BACKTEST";
const PROGRESS_EVERY = 1 << 16;

export interface ReplayInputs {
  readonly hedger: Hedger;
  readonly series: BarSeries;
  readonly iv: IvSeries;
  readonly params: BacktestParams;
  readonly runId: string;
  readonly log: DecisionLog | null;
  /** Called now and then with the fraction done (0..1). */
  readonly onProgress: ((fraction: number) => void) | null;
  /**
   * The market of these bars, vol and params under the Hedger's strategy, when already
   * recorded (a sweep's runs share one); recorded here otherwise.
   */
  readonly tape?: MarketTape;
}

export interface ReplayResult extends RunRecord {
  readonly guards: ReturnType<GuardAudit["report"]>;
}

export function replay(inputs: ReplayInputs): ReplayResult {
  return new ReplayEngine(inputs).run();
}

class ReplayEngine {
  private readonly hedger: Hedger;
  private readonly params: BacktestParams;
  private readonly tape: MarketTape;
  private readonly ledger = new PnlLedger();
  private readonly audit: GuardAudit;
  private readonly venue: HedgeVenue;
  private readonly recorder: RunRecorder;
  private readonly costs: SimExecutionCosts;
  /** The held legs' marks, priced on the bars the Hedger is called on (and at the end). */
  private readonly call = new LegMark();
  private readonly put = new LegMark();
  private readonly callEvent = new BrokerGreeksEvent();
  private readonly putEvent = new BrokerGreeksEvent();
  private straddle: Straddle | null = null;
  private callKey = "";
  private putKey = "";
  private expiryMs = 0;
  private units = 0;
  /** The next of the tape's rolls to trade, and its bar (tape.length when none is left). */
  private rollCursor = 0;
  private nextRollBar: number;
  private dayNumber = 0;
  private dayStarted = false;
  private dayBaseEquity = 0;
  private dayBaseCosts = 0;
  private dayFirstBar = true;
  // The previous bar's spot, time, vol and position greeks (spot and nowMs are the previous
  // bar's until step() ends).
  private prevVol = 0;
  private prevValue = 0;
  private prevTheta = 0;
  private prevVega = 0;
  private spot = 0;
  private nowMs = 0;
  /** The Hedger's quietUntilMs() after its last calls. */
  private quietUntilMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly inputs: ReplayInputs) {
    this.hedger = inputs.hedger;
    this.params = inputs.params;
    const strategy = inputs.hedger.params.strategy;
    this.tape = inputs.tape ?? recordMarketTape(inputs.series, inputs.iv, inputs.params, strategy);
    this.audit = new GuardAudit(inputs.hedger.params.guards, inputs.hedger.params.hedge);
    this.costs = { slippageBps: inputs.params.stockSlippageBps, commissionPerShareUsd: inputs.params.stockCommissionPerShareUsd, minCommissionUsd: inputs.params.stockCommissionMinUsd };
    this.venue = new HedgeVenue(inputs.hedger, this.costs, `gs:backtest:${strategy.symbol}:${inputs.runId}.`, BACKTEST_ACCOUNT);
    this.recorder = new RunRecorder(this.tape.length);
    this.nextRollBar = this.tape.rolls.length > 0 ? (this.tape.rolls[0] as TapeRoll).index : this.tape.length;
  }

  run(): ReplayResult {
    const { series, onProgress } = this.inputs;
    const tape = this.tape;
    // The daemon arms the Hedger once the broker is connected; the simulated venue always is.
    if (tape.length > 0) this.hedger.setBrokerConnected(true, series.tsMs[0] as number);
    let nextProgress = 0;
    for (const day of tape.days) {
      this.startDay(day);
      for (let i = day.firstIndex; i < day.endIndex; ) {
        this.step(i);
        i = this.quietStretch(i + 1, day.endIndex);
        if (onProgress !== null && i >= nextProgress) {
          onProgress(i / tape.length);
          nextProgress = i + PROGRESS_EVERY;
        }
      }
    }
    this.finish();
    onProgress?.(1);
    return { ...this.recorder.result(this.ledger), guards: this.audit.report() };
  }

  /**
   * One bar through the daemon's sequence, at its close: the bars where something can happen
   * (a day's first, a roll, the Hedger not quiet); quietStretch() takes the others. A method of its own, so the JIT compiles it as one small unit.
   */
  private step(i: number): void {
    const tape = this.tape;
    const bars = tape.bars;
    const p = i * TAPE_BAR_FIELDS;
    const spot = bars[p + SPOT] as number;
    const nowMs = bars[p + NOW_MS] as number;
    const vol = bars[p + VOL] as number;
    // Attribute the bar's PnL with the previous bar's greeks.
    let optionValue = 0;
    if (this.straddle !== null) {
      optionValue = this.units * ((bars[p + CALL_PRICE] as number) + (bars[p + PUT_PRICE] as number));
      this.ledger.accrue(optionValue - this.prevValue, this.prevTheta, this.prevVega, (nowMs - this.nowMs) / YEAR_MS, vol - this.prevVol, spot - this.spot);
    }
    if (this.dayFirstBar) {
      this.dayBaseEquity = this.ledger.equityUsd(spot, optionValue);
      this.dayBaseCosts = this.ledger.rollCostsUsd + this.ledger.optionCommissionsUsd;
      this.dayFirstBar = false;
    }
    // The account holds the straddle before the first quote, as the daemon's does at start.
    if (this.straddle === null) {
      const open = this.takeRoll();
      this.trade(open, spot, nowMs);
      optionValue = this.units * (open.call.price + open.put.price);
    }
    let equity = this.ledger.equityUsd(spot, optionValue);
    // Today's trading PnL (option trades at rolls are position changes, not PnL).
    this.audit.onDailyPnl(this.dayNumber, equity - this.dayBaseEquity + (this.ledger.rollCostsUsd + this.ledger.optionCommissionsUsd - this.dayBaseCosts));
    const rollDue = this.nextRollBar === i;
    readStraddleMarks(bars, i, this.call, this.put);
    const touch: SimTouch = { bid: bars[p + BID] as number, ask: bars[p + ASK] as number };
    // This bar's broker events in the order the daemon gets them from the sim broker: the
    // option greeks at this price, then the quote, on which it decides.
    this.hedger.onOptionGreeks(this.callKey, this.callEvent.refresh(this.call));
    this.hedger.onOptionGreeks(this.putKey, this.putEvent.refresh(this.put));
    const decision = this.venue.onQuote(touch, spot, nowMs);
    const fill = this.venue.lastFill;
    this.audit.onDecision(decision, this.dayNumber);
    if (fill !== null) this.recordFill(fill, decision, touch, spot, nowMs);
    // A roll trades at this bar's close, after the decision on it: the position reports
    // then find the Hedger with this bar's quote, so it selects the new legs at this spot.
    let theta = this.units * (this.call.theta + this.put.theta);
    let vega = this.units * (this.call.vega + this.put.vega);
    if (rollDue) {
      const roll = this.takeRoll();
      this.trade(roll, spot, nowMs);
      optionValue = this.units * (roll.call.price + roll.put.price);
      theta = this.units * (roll.call.theta + roll.put.theta);
      vega = this.units * (roll.call.vega + roll.put.vega);
    }
    this.quietUntilMs = this.hedger.quietUntilMs();
    if (fill !== null || rollDue) equity = this.ledger.equityUsd(spot, optionValue);
    const log = this.inputs.log;
    if (log !== null) this.writeLog(log, nowMs, spot, touch.bid, touch.ask, decision, fill);
    const deltaShares = decision.deltaShares;
    this.recorder.bar(i, nowMs, spot, equity, deltaShares === null ? Number.NaN : deltaShares, this.ledger.stockShares, vol);
    this.prevValue = optionValue;
    this.prevTheta = theta;
    this.prevVega = vega;
    this.prevVol = vol;
    this.spot = spot;
    this.nowMs = nowMs;
  }

  /**
   * Bars from i on that are quiet, in one tight loop: each only accrues,
   * marks equity, counts its hold or denial and is recorded, with the numbers step() would
   * give it; a bar whose trade the guards allow hedges (quietHedge). Returns the first bar
   * that needs step(): the Hedger's quiet time is over (an order left working too), a roll is due, or the day ends.
   */
  private quietStretch(i: number, end: number): number {
    const stop = Math.min(end, this.nextRollBar);
    if (i >= stop) return i;
    const bars = this.tape.bars;
    const log = this.inputs.log;
    const { ledger, audit, recorder, hedger } = this;
    const units = this.units;
    let quietUntilMs = this.quietUntilMs;
    const dayNumber = this.dayNumber;
    const dayBaseEquity = this.dayBaseEquity;
    const dayBaseCosts = this.dayBaseCosts;
    let prevValue = this.prevValue;
    let prevTheta = this.prevTheta;
    let prevVega = this.prevVega;
    let prevVol = this.prevVol;
    let prevSpot = this.spot;
    let prevNowMs = this.nowMs;
    for (let p = i * TAPE_BAR_FIELDS; i < stop; i++, p += TAPE_BAR_FIELDS) {
      const nowMs = bars[p + NOW_MS] as number;
      if (nowMs >= quietUntilMs) break;
      const spot = bars[p + SPOT] as number;
      const gamma = bars[p + GAMMA] as number;
      const callPrice = bars[p + CALL_PRICE] as number;
      const putPrice = bars[p + PUT_PRICE] as number;
      const hold = hedger.quietHold(units * (bars[p + CALL_DELTA] as number) + units * (bars[p + PUT_DELTA] as number), units * gamma + units * gamma, spot, units * callPrice + units * putPrice);
      let denied: GuardCode | null = null;
      if (hold === null) {
        // A trade is wanted: still quiet when a guard denies it (a logged run takes step(),
        // whose log line carries the denial's numbers).
        if (log !== null) break;
        denied = hedger.quietDenial(nowMs, spot, bars[p + BID] as number, bars[p + ASK] as number, units * callPrice + units * putPrice);
      }
      const vol = bars[p + VOL] as number;
      const optionValue = units * (callPrice + putPrice);
      ledger.accrue(optionValue - prevValue, prevTheta, prevVega, (nowMs - prevNowMs) / YEAR_MS, vol - prevVol, spot - prevSpot);
      let equity = ledger.equityUsd(spot, optionValue);
      audit.onDailyPnl(dayNumber, equity - dayBaseEquity + (ledger.rollCostsUsd + ledger.optionCommissionsUsd - dayBaseCosts));
      if (hold !== null) audit.onHold(hold);
      else if (denied !== null) audit.onDenial(denied, dayNumber);
      else {
        equity = this.quietHedge(p, spot, nowMs, optionValue);
        quietUntilMs = this.quietUntilMs;
      }
      const deltaShares = hedger.quietDeltaShares;
      if (log !== null) this.writeLog(log, nowMs, spot, bars[p + BID] as number, bars[p + ASK] as number, { type: "hold", reason: hold as SizingHold, deltaShares }, null);
      recorder.bar(i, nowMs, spot, equity, deltaShares, ledger.stockShares, vol);
      prevValue = optionValue;
      prevTheta = units * ((bars[p + CALL_THETA] as number) + (bars[p + PUT_THETA] as number));
      const vega = bars[p + VEGA] as number;
      prevVega = units * (vega + vega);
      prevVol = vol;
      prevSpot = spot;
      prevNowMs = nowMs;
    }
    this.prevValue = prevValue;
    this.prevTheta = prevTheta;
    this.prevVega = prevVega;
    this.prevVol = prevVol;
    this.spot = prevSpot;
    this.nowMs = prevNowMs;
    return i;
  }

  /**
   * A quiet bar's hedge (the trade its quiet calls allowed), ordered and filled as step()
   * would; returns the equity after the fill. The Hedger may be busy afterwards (a limit order
   * left working): quietUntilMs says.
   */
  private quietHedge(p: number, spot: number, nowMs: number, optionValue: number): number {
    const bars = this.tape.bars;
    const touch: SimTouch = { bid: bars[p + BID] as number, ask: bars[p + ASK] as number };
    const decision = this.venue.quietHedge(touch, spot, nowMs);
    const fill = this.venue.lastFill;
    this.audit.onDecision(decision, this.dayNumber);
    if (fill !== null) this.recordFill(fill, decision, touch, spot, nowMs);
    this.quietUntilMs = this.hedger.quietUntilMs();
    return this.ledger.equityUsd(spot, optionValue);
  }

  /**
   * The tape's next roll, taken to be traded now. The rolls are read within their array only:
   * a read past its end (every bar after a run's last roll) deoptimised the replay loops.
   */
  private takeRoll(): TapeRoll {
    const rolls = this.tape.rolls;
    const roll = rolls[this.rollCursor++] as TapeRoll;
    this.nextRollBar = this.rollCursor < rolls.length ? (rolls[this.rollCursor] as TapeRoll).index : this.tape.length;
    return roll;
  }

  /** The hedge filled on this bar: audit it against the limits, book it, record it. */
  private recordFill(fill: VenueFill, decision: HedgeDecision, touch: SimTouch, spot: number, nowMs: number): void {
    const { order } = fill;
    this.audit.onOrder({
      nowMs,
      dayNumber: this.dayNumber,
      side: order.side,
      quantityShares: order.quantityShares,
      forced: fill.decision.forced,
      spot: fill.decision.spot,
      bid: touch.bid,
      ask: touch.ask,
    });
    this.ledger.stockFill(order.side === "BUY" ? order.quantityShares : -order.quantityShares, fill.price, spot, fill.commissionUsd);
    this.audit.onPosition(nowMs, this.ledger.stockShares);
    this.recorder.hedge(nowMs, order.side, order.quantityShares, fill.price, decision.deltaShares ?? 0);
  }

  private startDay(day: TapeDay): void {
    if (this.dayStarted) this.recorder.endDay(this.ledger);
    this.dayStarted = true;
    this.dayNumber = day.dayNumber;
    this.dayFirstBar = true;
    this.recorder.startDay(day.day);
  }

  /**
   * Trades the tape's open or roll: the held legs (marked at this bar) sold at their bid, the
   * new ones bought at their ask; the broker's position reports and the new legs' greeks.
   */
  private trade(roll: TapeRoll, spot: number, nowMs: number): void {
    const contracts = this.params.contracts;
    const previous = this.straddle;
    const closed: Position[] = [];
    if (previous !== null) {
      this.sellLegsAtBid();
      for (const leg of [previous.call, previous.put]) closed.push({ contract: leg, quantity: 0, avgCost: 0, account: BACKTEST_ACCOUNT });
    }
    const next = roll.next;
    this.straddle = next;
    this.callKey = contractKey(next.call);
    this.putKey = contractKey(next.put);
    this.expiryMs = roll.nextExpiryMs;
    this.units = contracts * next.call.multiplier;
    const opened: Position[] = [];
    for (const [leg, mark] of [[next.call, roll.call], [next.put, roll.put]] as const) {
      const price = mark.price + optionHalfSpreadUsd(mark.price, this.params);
      this.ledger.optionTrade(this.units, price, mark.price, optionCommissionUsd(contracts, this.params));
      opened.push({ contract: leg, quantity: contracts, avgCost: price * leg.multiplier, account: BACKTEST_ACCOUNT });
    }
    // A broker streams greeks for newly subscribed legs at once (at the start, the bar's own
    // greeks follow right after the opening).
    if (previous !== null) {
      this.hedger.onOptionGreeks(this.callKey, this.callEvent.refresh(roll.call));
      this.hedger.onOptionGreeks(this.putKey, this.putEvent.refresh(roll.put));
    }
    this.venue.setOptionPositions([...closed, ...opened], nowMs);
    this.recorder.roll(nowMs, roll.reason, previous, next, spot);
  }

  /** Closes the held legs at their bid (one order per leg, with its commission). */
  private sellLegsAtBid(): void {
    for (const mark of [this.call, this.put]) {
      this.ledger.optionTrade(-this.units, mark.price - optionHalfSpreadUsd(mark.price, this.params), mark.price, optionCommissionUsd(this.params.contracts, this.params));
    }
  }

  /** The run ends flat in options at their bid, so the total is what could be realised. */
  private finish(): void {
    if (this.straddle === null) return;
    const spot = this.spot;
    const nowMs = this.nowMs;
    // The legs held now at the last bar (a roll there changed them after the tape's marks).
    markStraddle((this.straddle as Straddle).call.strike, this.expiryMs, spot, this.prevVol, nowMs, this.tape.rate, this.tape.dividendYield, this.call, this.put);
    this.sellLegsAtBid();
    if (this.ledger.stockShares !== 0) {
      const touch = quoteAround(spot, this.params.stockHalfSpreadBps);
      const shares = this.ledger.stockShares;
      const price = shares > 0 ? touch.bid : touch.ask;
      this.ledger.stockFill(-shares, price, spot, commissionUsd(shares, this.costs));
    }
    this.units = 0;
    this.recorder.closeOut(nowMs, this.ledger.equityUsd(spot, 0));
    this.recorder.endDay(this.ledger);
  }

  private writeLog(log: DecisionLog, nowMs: number, spot: number, bid: number, ask: number, decision: HedgeDecision, fill: VenueFill | null): void {
    log.write(
      nowMs,
      spot,
      bid,
      ask,
      decision,
      fill === null
        ? null
        : { orderRef: fill.order.orderRef, side: fill.order.side, shares: fill.order.quantityShares, price: fill.price, commissionUsd: fill.commissionUsd, hedgeSharesAfter: this.ledger.stockShares },
    );
  }
}
