// Which implied vol prices the options: `--iv 0.18` / `--iv 18%` (constant), `--iv vix`
// (the bundled VIX closes), `--iv PATH` (a CSV, daily or intraday). Without --iv: the
// bundled VIX for the bundled bars, the path's own vol for GBM (realised = implied),
// and strategy.fallback_vol for a CSV or cached bars (said so in the report).
import { statSync } from "node:fs";
import type { DataSource, IvSeries, TimeZoneName } from "../market-data/index.ts";
import { bundledVix, constantIv, DataInputError, parseIvCsv } from "../market-data/index.ts";

const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;
const NUMBER = /^\d+(?:\.\d+)?$/;

export async function resolveIv(spec: string | null, data: DataSource, fallbackVol: number, zone: TimeZoneName | null): Promise<IvSeries> {
  const text = spec?.trim() ?? "";
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
