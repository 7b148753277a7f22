// One backtest from a plain request (serialisable, so sweep workers get the same thing):
// load config with overrides, load and cut the bars, resolve the implied vol, build the
// Hedger exactly as the daemon does, replay, summarise.
import packageJson from "../../package.json" with { type: "json" };
import { withCanonicalNumbers } from "../config/canonical-numbers.ts";
import { canonicalJson } from "../config/config-hash.ts";
import { loadConfig } from "../config/load.ts";
import type { LoadedConfig } from "../config/load.ts";
import { UserError } from "../config/user-error.ts";
import { Hedger } from "../core/hedger.ts";
import { hedgerParamsFromConfig } from "../config/hedger-params.ts";
import type { GsConfig } from "../config/schema.ts";
import type { CachedBarsReader, IvSeries, LoadedBars, TimeZoneName } from "../market-data/index.ts";
import { BUNDLED_SYMBOL, DataInputError, ivCoverageStartMs, loadBars, parseBarSize, parseDataSource, parseTimeZone, TIME_ZONES } from "../market-data/index.ts";
import { applyBacktestAssignments, BACKTEST_KEY_PREFIX, backtestParamsView, defaultBacktestParams } from "./backtest-params.ts";
import type { BacktestParams } from "./backtest-params.ts";
import { DecisionLog } from "./decision-log.ts";
import { minDteProblem } from "./expiry-settlement.ts";
import type { MarketTapeCache } from "./market-tape.ts";
import { fingerprintIv } from "./iv-fingerprint.ts";
import { resolveIv } from "./iv-source.ts";
import { replay } from "./replay-engine.ts";
import type { ReplayResult } from "./replay-engine.ts";
import { summarize } from "./summary.ts";
import type { BacktestSummary, DataQuality } from "./summary.ts";

export interface BacktestRequest {
  readonly configPath: string | null;
  /** `key=value` overrides: config keys and `backtest.*` keys, in order (later wins). */
  readonly assignments: readonly string[];
  /** Keys that define this run in a sweep (shown in the ranked table). */
  readonly sweepAssignments: readonly string[];
  readonly data: string | null;
  readonly dataTz: string | null;
  readonly dataBar: string | null;
  readonly iv: string | null;
  readonly fromDay: string | null;
  readonly toDay: string | null;
}

export interface PreparedInputs {
  readonly bars: LoadedBars;
  readonly iv: IvSeries;
  /** Market tapes of these bars and vol, shared by the runs that reuse the inputs (sweeps). */
  readonly tapes?: MarketTapeCache;
}

export interface BacktestOutcome {
  readonly summary: BacktestSummary;
  readonly result: ReplayResult;
  readonly loaded: LoadedConfig;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
}

export interface RunOptions {
  readonly logPath: string | null;
  readonly onProgress: ((fraction: number) => void) | null;
  /** Reuse bars and IV already loaded for the same request data (sweeps). */
  readonly inputs?: PreparedInputs;
}

function splitAssignments(assignments: readonly string[]): { config: string[]; backtest: string[] } {
  const config: string[] = [];
  const backtest: string[] = [];
  for (const assignment of assignments) (assignment.trim().startsWith(BACKTEST_KEY_PREFIX) ? backtest : config).push(assignment);
  return { config, backtest };
}

function parseZone(text: string | null): TimeZoneName | null {
  if (text === null) return null;
  const zone = parseTimeZone(text);
  if (zone === null) throw new UserError(`--data-tz was '${text}', expected one of ${TIME_ZONES.join(", ")}`);
  return zone;
}

/** Bars cached by `gs data fetch`, read from the configured sink (opened only when asked). */
function sinkBarsReader(config: GsConfig): CachedBarsReader {
  return async (symbol, barSeconds, sinceMs, untilMs) => {
    const { openSink } = await import("../sink/open-sink.ts");
    const sink = await openSink(config);
    try {
      return await sink.loadBars(symbol, barSeconds, sinceMs, untilMs);
    } finally {
      await sink.close();
    }
  };
}

/** Which runs can share prepared inputs: the config keys prepareInputs reads besides the request's own. */
export function inputsKey(config: GsConfig): string {
  return `${config.strategy.symbol}|${config.strategy.fallback_vol}`;
}

/** Loads bars and IV for a request (the part a sweep shares between its runs). */
export async function prepareInputs(request: BacktestRequest, config: GsConfig): Promise<PreparedInputs> {
  const { symbol, fallback_vol: fallbackVol } = config.strategy;
  const zone = parseZone(request.dataTz);
  const source = parseDataSource(request.data, { symbol, zone, barSeconds: request.dataBar === null ? null : parseBarSize(request.dataBar) });
  if (source.type === "bundled" && symbol !== BUNDLED_SYMBOL) {
    throw new DataInputError(
      `unknown symbol ${symbol} for the bundled sample, which holds ${BUNDLED_SYMBOL} only; give --data PATH (a CSV of ${symbol} bars), --data gbm:seed=1,vol=0.2, or cache IB bars with gs data fetch ${symbol}`,
    );
  }
  if (source.type === "gbm" && source.params.symbol !== symbol) {
    throw new DataInputError(`gbm symbol was ${source.params.symbol}, expected the strategy symbol ${symbol} (set symbol=${symbol} in the spec)`);
  }
  const reader = sinkBarsReader(config);
  const bars = await loadBars(source, { fromDay: request.fromDay, toDay: request.toDay }, source.type === "cache" ? reader : null);
  const { tsMs } = bars.series;
  const iv = await resolveIv(request.iv, source, fallbackVol, zone, { read: reader, symbol, sinceMs: tsMs[0] as number, untilMs: (tsMs[tsMs.length - 1] as number) + bars.series.barSeconds * 1000 });
  const coverage = ivCoverageStartMs(iv);
  if (coverage !== null && coverage > (bars.series.tsMs[0] as number)) {
    throw new DataInputError(`the implied vol series (${iv.source}) starts after the first bar (${bars.fromDay}); expected it to cover the run: pass --from later or another --iv`);
  }
  return { bars, iv };
}

/** The run's identity hash: the config's, plus the backtest-only keys and the vols themselves. */
function runConfigHash(loaded: LoadedConfig, params: BacktestParams, ivFingerprint: string): string {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(canonicalJson({ config: loaded.configHash, backtest: backtestParamsView(params), iv: ivFingerprint }));
  return hasher.digest("hex");
}

export function loadRequestConfig(request: BacktestRequest): { loaded: LoadedConfig; params: BacktestParams } {
  const { config, backtest } = splitAssignments(request.assignments);
  const loaded = loadConfig({ configPath: request.configPath, overrides: config });
  const settlementProblem = minDteProblem(loaded.config.strategy.min_dte);
  if (settlementProblem !== null) throw new UserError(settlementProblem);
  const params = withCanonicalNumbers(applyBacktestAssignments(defaultBacktestParams(loaded.config.strategy.atm_band_pct), backtest));
  return { loaded, params };
}

function dataQuality(bars: LoadedBars): DataQuality | null {
  const session = bars.sessionReport;
  if (session === null) return null;
  return {
    droppedExtendedHours: session.droppedExtendedHours,
    droppedClosingAuction: session.droppedClosingAuction,
    droppedAfterEarlyClose: session.droppedAfterEarlyClose,
    droppedClosedDays: session.droppedClosedDays,
    duplicatesDropped: bars.csvReport?.warnings.filter((issue) => issue.type === "duplicate").length ?? 0,
    missingBars: session.missingBars,
    daysWithGaps: new Set(session.gaps.map((gap) => gap.day)).size,
    partialDays: session.partialDays,
    missingDays: session.missingDays,
  };
}

export async function runBacktest(request: BacktestRequest, options: RunOptions): Promise<BacktestOutcome> {
  const startedAtMs = Date.now();
  const { loaded, params } = loadRequestConfig(request);
  const { config } = loaded;
  const inputs = options.inputs ?? (await prepareInputs(request, config));
  const { bars, iv } = inputs;
  const ivFingerprint = fingerprintIv(iv);
  const configHash = runConfigHash(loaded, params, ivFingerprint);
  const runId = `bt-${startedAtMs.toString(36)}-${configHash.slice(0, 6)}-${bars.fingerprint.slice(0, 6)}`;
  const log =
    options.logPath === null
      ? null
      : DecisionLog.open(options.logPath, { configHash, dataFingerprint: bars.fingerprint, data: bars.description, ivFingerprint, iv: iv.source, fromDay: bars.fromDay, toDay: bars.toDay, gsVersion: packageJson.version });
  let result: ReplayResult;
  try {
    const hedgerParams = hedgerParamsFromConfig(config);
    const tape = inputs.tapes?.tape(params, hedgerParams.strategy);
    result = replay({ hedger: new Hedger(hedgerParams), series: bars.series, iv, params, runId, log, onProgress: options.onProgress, ...(tape === undefined ? {} : { tape }) });
  } finally {
    await log?.close();
  }
  const settings: Record<string, string> = {};
  for (const assignment of request.sweepAssignments) {
    const eq = assignment.indexOf("=");
    settings[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  const summary = summarize(
    {
      runId,
      configHash,
      dataFingerprint: bars.fingerprint,
      data: bars.description,
      iv: iv.source,
      ivFingerprint,
      clampNote: bars.clampNote,
      fromDay: bars.fromDay,
      toDay: bars.toDay,
      barSeconds: bars.series.barSeconds,
      symbol: bars.series.symbol,
      dataQuality: dataQuality(bars),
      settings,
    },
    result,
  );
  return { summary, result, loaded, startedAtMs, finishedAtMs: Date.now() };
}
