// The worker side of a sweep: runs the backtests it is sent, one at a time, and replies
// with their summaries. Bars and implied vol are loaded once per worker and reused, and so is
// the market tape (quotes, rolls, option marks) for runs whose params leave it unchanged.
import { UserError } from "../../config/user-error.ts";
import { MarketTapeCache } from "../market-tape.ts";
import { loadRequestConfig, prepareInputs, runBacktest } from "../run-backtest.ts";
import type { PreparedInputs } from "../run-backtest.ts";
import type { SweepJob, SweepReply } from "./sweep-protocol.ts";

declare const self: Worker;

/** Serves jobs until the coordinator terminates the worker; the promise never settles. */
export function serveSweepJobs(): Promise<never> {
  const inputsByKey = new Map<string, Promise<PreparedInputs>>();
  self.onmessage = async (event: MessageEvent<SweepJob>) => {
    const { index, request } = event.data;
    let reply: SweepReply;
    try {
      const { loaded } = loadRequestConfig(request);
      const { symbol, fallback_vol: fallbackVol } = loaded.config.strategy;
      const key = `${symbol}|${fallbackVol}`;
      let inputs = inputsByKey.get(key);
      if (inputs === undefined) {
        // The runs of one worker share bars, vol and (per roll and spread params) the market tape.
        inputs = prepareInputs(request, loaded.config).then((prepared) => ({ ...prepared, tapes: new MarketTapeCache(prepared.bars.series, prepared.iv) }));
        inputsByKey.set(key, inputs);
      }
      const outcome = await runBacktest(request, { logPath: null, onProgress: null, inputs: await inputs });
      reply = { type: "result", index, summary: outcome.summary, startedAtMs: outcome.startedAtMs, finishedAtMs: outcome.finishedAtMs, bars: outcome.summary.bars };
    } catch (error) {
      reply = { type: "error", index, message: error instanceof Error ? error.message : String(error), userError: error instanceof UserError };
    }
    self.postMessage(reply);
  };
  return new Promise<never>(() => {});
}
