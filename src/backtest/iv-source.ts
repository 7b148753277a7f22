// Which implied vol prices the options: `--iv 0.18` / `--iv 18%` (constant), `--iv vix`
// (the bundled VIX closes), `--iv PATH` (a CSV, daily or intraday), `--iv cache[:1h]` (IB's
// option implied vol cached by gs data fetch --what iv). Without --iv: the
// bundled VIX for the bundled bars, the path's own vol for GBM (realised = implied),
// and strategy.fallback_vol for a CSV or cached bars (said so in the report).
import { statSync } from "node:fs";
import { ivCacheSymbol } from "../market-data/history-fetch.ts";
import type { CachedBarsReader, DataSource, IvSeries, TimeZoneName } from "../market-data/index.ts";
import { bundledVix, constantIv, DataInputError, formatBarSize, ivFromBars, parseBarSize, parseIvCsv } from "../market-data/index.ts";

const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;
const NUMBER = /^\d+(?:\.\d+)?$/;

export interface IvCacheAccess {
  readonly read: CachedBarsReader;
  readonly symbol: string;
  /** The run's bars span [sinceMs, untilMs): the cached vols read are those up to its end. */
  readonly sinceMs: number;
  readonly untilMs: number;
}

/** `--iv cache[:1h]`: the options' implied vol cached by `gs data fetch SYMBOL --what iv`. */
async function cachedIv(text: string, cache: IvCacheAccess): Promise<IvSeries> {
  const barSeconds = text === "cache" ? 3600 : parseBarSize(text.slice("cache:".length));
  const key = ivCacheSymbol(cache.symbol);
  // A few days before the first bar, so the first bars already have a known vol.
  const rows = await cache.read(key, barSeconds, cache.sinceMs - 5 * 86_400_000, cache.untilMs);
  const source = `cached ${formatBarSize(barSeconds)} implied vol of ${cache.symbol} (gs data fetch --what iv)`;
  if (rows.length === 0) {
    throw new DataInputError(`no ${formatBarSize(barSeconds)} implied-vol bars of ${cache.symbol} cached for this range; fetch them with gs data fetch ${cache.symbol} --what iv --bar ${formatBarSize(barSeconds)}`);
  }
  return ivFromBars(rows, barSeconds, source);
}

export async function resolveIv(spec: string | null, data: DataSource, fallbackVol: number, zone: TimeZoneName | null, cache: IvCacheAccess): Promise<IvSeries> {
  const text = spec?.trim() ?? "";
  if (text === "cache" || text.startsWith("cache:")) return cachedIv(text, cache);
  if (text === "") {
    switch (data.type) {
      case "bundled":
        return bundledVix();
      case "gbm":
        return { ...constantIv(data.params.vol), source: `constant ${data.params.vol} (the GBM path's vol)` };
      case "csv":
      case "cache":
        return { ...constantIv(fallbackVol), source: `constant ${fallbackVol} (strategy.fallback_vol; pass --iv for a series)` };
      default: {
        const unreachable: never = data;
        throw new Error(`unknown data source ${JSON.stringify(unreachable)}`);
      }
    }
  }
  if (text === "vix" || text === "bundled") return bundledVix();
  const percent = PERCENT.exec(text);
  if (percent !== null) return constantIv(Number(percent[1]) / 100);
  if (NUMBER.test(text)) return constantIv(Number(text));
  let isFile = false;
  try {
    isFile = statSync(text).isFile();
  } catch {
    throw new DataInputError(`--iv was '${text}', expected a vol (0.18 or 18%), 'vix', or an existing CSV file`);
  }
  if (!isFile) throw new DataInputError(`--iv '${text}' is not a regular file, expected a CSV of implied vols`);
  return parseIvCsv(await Bun.file(text).text(), { source: text, zone, unit: null });
}
