// The backtest loop: one step per bar, at the bar's close. Each step marks the straddle
// (the simulated option market) and attributes the bar's PnL, hands the Hedger the broker
// events the daemon would see, executes its decision on the simulated venue, then rolls
// the straddle when due. On a quiet bar (Hedger.quietUntilMs: nothing in flight, and its
// policy holds at this bar's greeks) the Hedger's calls would change nothing and return that
// hold, so the step takes the hold without them: most bars of a run. Per bar it allocates
// only the quote's touch, and on the Hedger's bars its decision.
import type { HedgeDecision } from "../core/hedge-decision.ts";
import type { SizingHold } from "../core/hedge-policy.ts";
import type { Hedger } from "../core/hedger.ts";
import type { Position } from "../core/instrument.ts";
import { contractKey } from "../core/instrument.ts";
import { exchangeDayAt, expiryCloseUtcMs } from "../core/nyse-calendar.ts";
import { commissionUsd, quoteAround } from "../broker/sim/sim-fills.ts";
import type { SimExecutionCosts, SimTouch } from "../broker/sim/sim-fills.ts";
import type { BarSeries, IvSeries } from "../market-data/index.ts";
import { ivAt } from "../market-data/index.ts";
import type { BacktestParams } from "./backtest-params.ts";
import type { DecisionLog } from "./decision-log.ts";
import { GuardAudit } from "./guard-audit.ts";
import { HedgeVenue } from "./hedge-venue.ts";
import type { VenueFill } from "./hedge-venue.ts";
import { BrokerGreeksEvent, LegMark, markStraddle, optionCommissionUsd, optionHalfSpreadUsd, YEAR_MS } from "./option-marks.ts";
import { PnlLedger } from "./pnl-ledger.ts";
import { RunRecorder } from "./run-recorder.ts";
import type { RunRecord } from "./run-recorder.ts";
import { chooseStraddle, rollReason } from "./straddle-schedule.ts";
import type { RollReason, Straddle, StraddleRules } from "./straddle-schedule.ts";

/** The close is the bar's last trade: the step happens just before the bar (or the session) ends. */
const CLOSE_BEFORE_BAR_END_MS = 1000;
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
  private readonly rules: StraddleRules;
  private readonly ledger = new PnlLedger();
  private readonly audit: GuardAudit;
  private readonly venue: HedgeVenue;
  private readonly recorder: RunRecorder;
  private readonly costs: SimExecutionCosts;
  private readonly call = new LegMark();
  private readonly put = new LegMark();
  private readonly callEvent = new BrokerGreeksEvent();
  private readonly putEvent = new BrokerGreeksEvent();
  private straddle: Straddle | null = null;
  private callKey = "";
  private putKey = "";
  private expiryMs = 0;
  private units = 0;
  private dayEndMs = Number.NEGATIVE_INFINITY;
  private dayCloseMs = 0;
  private dayNumber = 0;
  private rollCheckDue = true;
  private dayBaseEquity = 0;
  private dayBaseCosts = 0;
  private dayFirstBar = true;
  // Loop state: the bar's inputs, and the previous bar's spot, time and position greeks
  // (spot and nowMs are the previous bar's until step() ends).
  private readonly closes: Float64Array;
  private readonly starts: Float64Array;
  private readonly barMs: number;
  private readonly dailyIv: boolean;
  private readonly rate: number;
  private readonly dividendYield: number;
  private vol = 0;
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
    this.rules = {
      symbol: strategy.symbol,
      minDte: strategy.minDte,
      maxDte: strategy.maxDte,
      strikeStep: inputs.params.strikeStep,
      rollBandFraction: inputs.params.rollBandFraction,
      multiplier: 100,
    };
    this.audit = new GuardAudit(inputs.hedger.params.guards, inputs.hedger.params.hedge);
    this.costs = { slippageBps: inputs.params.stockSlippageBps, commissionPerShareUsd: inputs.params.stockCommissionPerShareUsd, minCommissionUsd: inputs.params.stockCommissionMinUsd };
    this.venue = new HedgeVenue(inputs.hedger, this.costs, `gs:backtest:${strategy.symbol}:${inputs.runId}.`, BACKTEST_ACCOUNT);
    this.recorder = new RunRecorder(inputs.series.length);
    this.closes = inputs.series.close;
    this.starts = inputs.series.tsMs;
    this.barMs = inputs.series.barSeconds * 1000;
    this.dailyIv = inputs.iv.type !== "intraday";
    this.rate = strategy.riskFreeRate;
    this.dividendYield = strategy.dividendYield;
  }

  run(): ReplayResult {
    const { series, onProgress } = this.inputs;
    const length = series.length;
    // The daemon arms the Hedger once the broker is connected; the simulated venue always is.
    if (length > 0) this.hedger.setBrokerConnected(true, series.tsMs[0] as number);
    for (let i = 0; i < length; i++) {
      this.step(i);
      if (onProgress !== null && (i & (PROGRESS_EVERY - 1)) === 0) onProgress(i / length);
    }
    this.finish(this.spot, this.nowMs);
    onProgress?.(1);
    return { ...this.recorder.result(this.ledger), guards: this.audit.report() };
  }

  /** One bar, at its close. A method of its own, so the JIT compiles the loop body as one small unit. */
  private step(i: number): void {
    const rate = this.rate;
    const dividendYield = this.dividendYield;
    // The venue quotes in cents around the bar's close; its mid is the price of record.
    const touch = quoteAround(this.closes[i] as number, this.params.stockHalfSpreadBps);
    const spot = (touch.bid + touch.ask) / 2;
    const startMs = this.starts[i] as number;
    if (startMs >= this.dayEndMs) {
      this.startDay(startMs);
      if (this.dailyIv) this.vol = ivAt(this.inputs.iv, startMs);
    }
    // A daily bar's close is the session's close, not the next morning.
    const nowMs = Math.min(startMs + this.barMs, this.dayCloseMs) - CLOSE_BEFORE_BAR_END_MS;
    if (!this.dailyIv) this.vol = ivAt(this.inputs.iv, nowMs);
    const vol = this.vol;
    // Mark the held legs and attribute the bar's PnL with the previous bar's greeks.
    let optionValue = 0;
    if (this.straddle !== null) {
      this.mark(spot, vol, nowMs, rate, dividendYield);
      optionValue = this.units * (this.call.price + this.put.price);
      this.ledger.accrue(optionValue - this.prevValue, this.prevTheta, this.prevVega, (nowMs - this.nowMs) / YEAR_MS, vol - this.prevVol, spot - this.spot);
    }
    if (this.dayFirstBar) {
      this.dayBaseEquity = this.ledger.equityUsd(spot, optionValue);
      this.dayBaseCosts = this.ledger.rollCostsUsd + this.ledger.optionCommissionsUsd;
      this.dayFirstBar = false;
    }
    // The account holds the straddle before the first quote, as the daemon's does at start.
    if (this.straddle === null) {
      this.roll("open", spot, vol, nowMs, rate, dividendYield);
      optionValue = this.units * (this.call.price + this.put.price);
    }
    let equity = this.ledger.equityUsd(spot, optionValue);
    // Today's trading PnL (option trades at rolls are position changes, not PnL).
    this.audit.onDailyPnl(this.dayNumber, equity - this.dayBaseEquity + (this.ledger.rollCostsUsd + this.ledger.optionCommissionsUsd - this.dayBaseCosts));
    // A roll is due on this bar's spot and time alone; it trades after the decision.
    const roll = this.dueRoll(spot, nowMs);
    // While the Hedger is quiet and its policy holds at this bar's greeks, its calls would
    // change nothing and return that hold: the bar is decided without them (see quietUntilMs).
    const hold = roll === null && nowMs < this.quietUntilMs ? this.quietHold(spot) : null;
    let decision: HedgeDecision | null = null;
    let fill: VenueFill | null = null;
    if (hold !== null) {
      this.audit.onHold(hold);
    } else {
      // This bar's broker events in the order the daemon gets them from the sim broker: the
      // option greeks at this price, then the quote, on which it decides.
      this.hedger.onOptionGreeks(this.callKey, this.callEvent.refresh(this.call));
      this.hedger.onOptionGreeks(this.putKey, this.putEvent.refresh(this.put));
      decision = this.venue.onQuote(touch, spot, nowMs);
      fill = this.venue.lastFill;
      this.audit.onDecision(decision, this.dayNumber);
      if (fill !== null) this.recordFill(fill, decision, touch, spot, nowMs);
    }
    // A roll trades at this bar's close, after the decision on it: the position reports
    // then find the Hedger with this bar's quote, so it selects the new legs at this spot.
    if (roll !== null) {
      this.roll(roll, spot, vol, nowMs, rate, dividendYield);
      optionValue = this.units * (this.call.price + this.put.price);
    }
    if (hold === null) this.quietUntilMs = this.hedger.quietUntilMs();
    if (fill !== null || roll !== null) equity = this.ledger.equityUsd(spot, optionValue);
    const log = this.inputs.log;
    const deltaShares = decision === null ? this.hedger.quietDeltaShares : decision.deltaShares;
    if (log !== null) this.writeLog(log, nowMs, spot, touch.bid, touch.ask, decision ?? { type: "hold", reason: hold as SizingHold, deltaShares }, fill);
    this.recorder.bar(i, nowMs, spot, equity, deltaShares === null ? Number.NaN : deltaShares, this.ledger.stockShares, vol);
    this.prevValue = optionValue;
    this.prevTheta = this.units * (this.call.theta + this.put.theta);
    this.prevVega = this.units * (this.call.vega + this.put.vega);
    this.prevVol = vol;
    this.spot = spot;
    this.nowMs = nowMs;
  }

  /** The Hedger's hold at this bar's marks, as its broker greeks would report them (null: it must decide). */
  private quietHold(spot: number): SizingHold | null {
    const units = this.units;
    const call = this.call;
    const put = this.put;
    return this.hedger.quietHold(units * call.delta + units * put.delta, units * call.gamma + units * put.gamma, spot);
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

  private startDay(atMs: number): void {
    const day = exchangeDayAt(atMs);
    if (this.dayEndMs !== Number.NEGATIVE_INFINITY) this.recorder.endDay(this.ledger);
    this.dayEndMs = day.endMs;
    this.dayCloseMs = day.closeMs ?? day.endMs;
    this.dayNumber = day.dayNumber;
    this.rollCheckDue = true;
    this.dayFirstBar = true;
    this.recorder.startDay(day.day);
  }

  private mark(spot: number, vol: number, nowMs: number, rate: number, dividendYield: number): void {
    markStraddle((this.straddle as Straddle).call.strike, this.expiryMs, spot, vol, nowMs, rate, dividendYield, this.call, this.put);
  }

  /** DTE moves once a day; the strike band is checked on every bar. */
  private dueRoll(spot: number, nowMs: number): RollReason | null {
    const straddle = this.straddle as Straddle;
    if (this.rollCheckDue) {
      this.rollCheckDue = false;
      const reason = rollReason(straddle, spot, nowMs, this.rules);
      if (reason !== null) return reason;
    }
    return Math.abs(straddle.call.strike - spot) / spot > this.rules.rollBandFraction ? "strike_outside_band" : null;
  }

  private roll(reason: RollReason | "open", spot: number, vol: number, nowMs: number, rate: number, dividendYield: number): void {
    const contracts = this.params.contracts;
    const previous = this.straddle;
    const closed: Position[] = [];
    if (previous !== null) {
      this.sellLegsAtBid();
      for (const leg of [previous.call, previous.put]) closed.push({ contract: leg, quantity: 0, avgCost: 0, account: BACKTEST_ACCOUNT });
    }
    const next = chooseStraddle(spot, nowMs, this.rules);
    this.straddle = next;
    this.callKey = contractKey(next.call);
    this.putKey = contractKey(next.put);
    this.expiryMs = expiryCloseUtcMs(next.expiryDayNumber);
    this.units = contracts * next.call.multiplier;
    this.mark(spot, vol, nowMs, rate, dividendYield);
    const opened: Position[] = [];
    for (const [leg, mark] of [[next.call, this.call], [next.put, this.put]] as const) {
      const price = mark.price + optionHalfSpreadUsd(mark.price, this.params);
      this.ledger.optionTrade(this.units, price, mark.price, optionCommissionUsd(contracts, this.params));
      opened.push({ contract: leg, quantity: contracts, avgCost: price * leg.multiplier, account: BACKTEST_ACCOUNT });
    }
    // A broker streams greeks for newly subscribed legs at once (at the start, the bar's own
    // greeks follow right after the opening).
    if (previous !== null) {
      this.hedger.onOptionGreeks(this.callKey, this.callEvent.refresh(this.call));
      this.hedger.onOptionGreeks(this.putKey, this.putEvent.refresh(this.put));
    }
    this.venue.setOptionPositions([...closed, ...opened], nowMs);
    this.recorder.roll(nowMs, reason, previous, next, spot);
  }

  /** Closes the held legs at their bid (one order per leg, with its commission). */
  private sellLegsAtBid(): void {
    for (const mark of [this.call, this.put]) {
      this.ledger.optionTrade(-this.units, mark.price - optionHalfSpreadUsd(mark.price, this.params), mark.price, optionCommissionUsd(this.params.contracts, this.params));
    }
  }

  /** The run ends flat in options at their bid, so the total is what could be realised. */
  private finish(spot: number, nowMs: number): void {
    if (this.straddle === null) return;
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
