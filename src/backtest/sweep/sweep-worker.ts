// The worker side of a sweep: runs the backtests it is sent, one at a time, and replies
// with their summaries. Bars and implied vol come loaded from the coordinator (or are loaded
// once per worker for runs that change what they depend on) and are reused, and so is the
// market tape (quotes, rolls, option marks) for runs whose params leave it unchanged.
import { UserError } from "../../config/user-error.ts";
import { MarketTapeCache } from "../market-tape.ts";
import { inputsKey, loadRequestConfig, prepareInputs, runBacktest } from "../run-backtest.ts";
import type { PreparedInputs } from "../run-backtest.ts";
import type { SweepInputs, SweepJob, SweepReply } from "./sweep-protocol.ts";

declare const self: Worker;

/** Serves jobs until the coordinator terminates the worker; the promise never settles. */
export function serveSweepJobs(): Promise<never> {
  // The runs of one worker share bars, vol and (per roll and spread params) the market tape.
  const inputsByKey = new Map<string, Promise<PreparedInputs>>();
  const withTapes = (prepared: PreparedInputs): PreparedInputs => ({ ...prepared, tapes: new MarketTapeCache(prepared.bars.series, prepared.iv) });
  self.onmessage = async (event: MessageEvent<SweepInputs | SweepJob>) => {
    if (event.data.type === "inputs") {
      inputsByKey.set(event.data.key, Promise.resolve(withTapes(event.data.inputs)));
      return;
    }
    const { index, request } = event.data;
    let reply: SweepReply;
    try {
      const { loaded } = loadRequestConfig(request);
      const key = inputsKey(loaded.config);
      let inputs = inputsByKey.get(key);
      if (inputs === undefined) {
        inputs = prepareInputs(request, loaded.config).then(withTapes);
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
