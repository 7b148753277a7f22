// `gs data fetch SYMBOL --from ... --bar 1m|5m`: cache the broker's historical bars in the
// sink (paced, resumable); `gs data show SYMBOL`: what is cached, per month. Backtests read
// the cache with `gs backtest --data cache`.
import { defineCommand } from "citty";
import { UserError } from "../../config/user-error.ts";
import { CONFIG_ARGS, loadConfigFromArgs } from "../config-args.ts";

const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.]{0,11}$/;

function checkSymbol(text: string): string {
  if (!SYMBOL_PATTERN.test(text)) throw new UserError(`symbol was '${text}', expected an upper-case ticker such as SPY`);
  return text;
}

const fetch = defineCommand({
  meta: { name: "fetch", description: "Cache historical bars from the broker (IB) in the sink; rerun to resume" },
  args: {
    ...CONFIG_ARGS,
    symbol: { type: "positional", required: true, description: "Underlying, e.g. SPY" },
    from: { type: "string", required: true, valueHint: "YYYY-MM-DD", description: "First trading day" },
    to: { type: "string", valueHint: "YYYY-MM-DD", description: "Last trading day (default: today)" },
    bar: { type: "string", default: "5m", valueHint: "1m|5m|1h", description: "Bar size" },
    what: { type: "string", default: "trades", valueHint: "trades|iv", description: "trades of the underlying, or iv: its options' implied volatility (for gs backtest --iv cache)" },
  },
  async run(context) {
    const { args } = context;
    const { parseBarSize, parseDay, DataInputError } = await import("../../market-data/index.ts");
    if (args.what !== "trades" && args.what !== "iv") throw new UserError(`--what was '${args.what}', expected trades or iv`);
    const what = args.what === "iv" ? "implied_volatility" : "trades";
    const { fetchHistory, RequestPacer } = await import("../../market-data/history-fetch.ts");
    const symbol = checkSymbol(args.symbol);
    const barSeconds = parseBarSize(args.bar);
    const fromDay = parseDay(args.from);
    const toDay = args.to === undefined ? Math.floor(Date.now() / 86_400_000) : parseDay(args.to);
    if (fromDay === null) throw new DataInputError(`--from was '${args.from}', expected a date YYYY-MM-DD`);
    if (toDay === null) throw new DataInputError(`--to was '${args.to}', expected a date YYYY-MM-DD`);
    if (fromDay > toDay) throw new DataInputError(`--from ${args.from} is after --to ${args.to ?? "today"}; expected from <= to`);
    const { config } = loadConfigFromArgs(context);
    if (config.broker !== "ib") throw new UserError(`gs data fetch needs broker = "ib" (was "${config.broker}"): the simulated market has no history to fetch`);
    const { createIbBroker } = await import("../../broker/ib/index.ts");
    const { openSink } = await import("../../sink/open-sink.ts");
    const broker = createIbBroker(config);
    const sink = await openSink(config);
    const clock = { nowMs: () => Date.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
    try {
      await broker.connect();
      const report = await fetchHistory(
        {
          broker,
          sink,
          clock,
          pacer: new RequestPacer(clock),
          onProgress: (done, total, window, note) => {
            const first = window.sessions[0];
            process.stderr.write(`${done < 0 ? "" : `[${done}/${total}] `}${first === undefined ? "" : new Date(first.openUtcMs).toISOString().slice(0, 10)}: ${note}\n`);
          },
        },
        { symbol, barSeconds, fromDay, toDay, what },
      );
      await sink.flush();
      process.stdout.write(
        `cached ${report.savedBars} ${args.bar} ${what === "trades" ? "" : "implied-vol "}bars of ${symbol} in ${report.fetchedWindows} request(s); ${report.skippedWindows} window(s) were already cached` +
          `${report.droppedBars > 0 ? `; ${report.droppedBars} bar(s) outside the regular session dropped` : ""}\n`,
      );
    } finally {
      await broker.disconnect().catch(() => {});
      await sink.close();
    }
  },
});

const show = defineCommand({
  meta: { name: "show", description: "Show which bars are cached in the sink, per month" },
  args: {
    ...CONFIG_ARGS,
    symbol: { type: "positional", required: true, description: "Underlying, e.g. SPY" },
    bar: { type: "string", default: "5m", valueHint: "1m|5m", description: "Bar size" },
  },
  async run(context) {
    const { args } = context;
    const { parseBarSize } = await import("../../market-data/index.ts");
    const symbol = checkSymbol(args.symbol);
    const barSeconds = parseBarSize(args.bar);
    const { config } = loadConfigFromArgs(context);
    const { openExistingSink } = await import("../../sink/open-sink.ts");
    const sink = await openExistingSink(config);
    try {
      const bars = await sink.loadBars(symbol, barSeconds, 0, Number.MAX_SAFE_INTEGER);
      if (bars.length === 0) {
        process.stdout.write(`no ${args.bar} bars of ${symbol} cached; fetch them with gs data fetch ${symbol} --from YYYY-MM-DD --bar ${args.bar}\n`);
        return;
      }
      const perMonth = new Map<string, number>();
      for (const bar of bars) {
        const month = new Date(bar.tsMs).toISOString().slice(0, 7);
        perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
      }
      process.stdout.write(`${bars.length} ${args.bar} bars of ${symbol} cached, ${new Date(bars[0]?.tsMs ?? 0).toISOString()} to ${new Date(bars.at(-1)?.tsMs ?? 0).toISOString()}\n`);
      for (const [month, count] of perMonth) process.stdout.write(`  ${month}  ${count}\n`);
    } finally {
      await sink.close();
    }
  },
});

export default defineCommand({
  meta: { name: "data", description: "Import and inspect market data used by backtests" },
  subCommands: { fetch, show },
});
