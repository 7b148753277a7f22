// Tick-to-order latency through the daemon on the sim broker: from the quote handed to the
// broker's listeners to the daemon's placeOrder call (decision, order creation, send). Run once
// on the real SQLite sink (baseline) and once on the same sink behind a wrapper that delays
// every write by 100 ms: the hot path never awaits the sink, so p99 must not move.
// Run: `bun bench/daemon.ts [hedges]`. Figures -> docs/BENCHMARKS.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openingAccount, optionMarker } from "../src/broker/sim/create-sim-market.ts";
import { defaultConfig } from "../src/config/defaults.ts";
import type { GsConfig } from "../src/config/schema.ts";
import { Hedger } from "../src/core/hedger.ts";
import { Daemon } from "../src/daemon/daemon.ts";
import { consoleDaemonLog } from "../src/daemon/daemon-log.ts";
import { hedgerParamsFromConfig } from "../src/config/hedger-params.ts";
import { constantIv } from "../src/market-data/index.ts";
import type { Sink } from "../src/sink/port.ts";
import { SqliteSink } from "../src/sink/sqlite/sqlite-sink.ts";
import { FakeClock } from "../test/support/fake-clock.ts";
import { testSimBroker } from "../test/support/sim-broker.ts";

const HEDGES = Number(process.argv[2] ?? 2_000);
const WRITE_DELAY_MS = 100;
const START_MS = Date.UTC(2024, 2, 26, 14, 0, 0);

/** Every queued write reaches the real sink only 100 ms later, as if the database were slow. */
function slowSink(inner: Sink): Sink {
  const inFlight = new Set<Promise<void>>();
  const later = (write: () => void): void => {
    const pending: Promise<void> = Bun.sleep(WRITE_DELAY_MS).then(() => {
      write();
      inFlight.delete(pending);
    });
    inFlight.add(pending);
  };
  return Object.assign(Object.create(inner) as Sink, {
    writeStatus: (...args: Parameters<Sink["writeStatus"]>) => later(() => inner.writeStatus(...args)),
    writeOperation: (...args: Parameters<Sink["writeOperation"]>) => later(() => inner.writeOperation(...args)),
    writeDailyState: (...args: Parameters<Sink["writeDailyState"]>) => later(() => inner.writeDailyState(...args)),
    flush: async () => {
      await Promise.all([...inFlight]);
      await inner.flush();
    },
  });
}

function benchConfig(): GsConfig {
  const base = defaultConfig();
  // Every tick is a hedge: no cooldown, no minimum move, no daily cap.
  return {
    ...base,
    hedge: { ...base.hedge, cooldown_s: 0, min_price_move_pct: 0 },
    guards: { ...base.guards, max_daily_hedges: 100_000, max_position_shares: 1_000_000 },
  };
}

async function measure(label: string, wrap: (sink: Sink) => Sink): Promise<{ label: string; p50: number; p99: number; max: number; rows: number }> {
  const directory = mkdtempSync(join(tmpdir(), "gs-bench-daemon-"));
  const inner = SqliteSink.open({ path: join(directory, "gs.db"), spoolPath: join(directory, "spool.ndjson") });
  await inner.migrate();
  const sink = wrap(inner);
  const config = benchConfig();
  const clock = new FakeClock(START_MS);
  const markOption = optionMarker(constantIv(0.15), config.strategy.rate, config.strategy.dividend_yield);
  const broker = testSimBroker(clock, { ackLatencyMs: 0, fillLatencyMs: 1, cancelLatencyMs: 0, markOption, initialAccount: openingAccount("SPY", 521, START_MS, 10, markOption, 0) });
  let sentAt = 0;
  const place = broker.placeOrder.bind(broker);
  broker.placeOrder = (order) => {
    sentAt = performance.now();
    return place(order);
  };
  broker.pushPrice(521);
  const daemon = new Daemon({
    daemonId: "bench",
    broker,
    sink,
    hedger: new Hedger(hedgerParamsFromConfig(config)),
    wallClock: clock,
    marketClock: clock,
    log: consoleDaemonLog("text", "error"),
    announce: () => {},
    settings: { heartbeatMs: 5_000, historyEveryMs: 60_000, pollMs: 500, retryIntervalMs: 15_000, connectTimeoutMs: 10_000, stopCancelWaitMs: 4_000, trailLookupTimeoutMs: 10_000, controlFile: null },
    configHash: "bench",
    version: "bench",
    pid: process.pid,
  });
  const started = daemon.start();
  await clock.advance(0);
  await started;
  const latencies: number[] = [];
  for (let i = 0; latencies.length < HEDGES; i++) {
    sentAt = 0;
    const t0 = performance.now();
    broker.pushPrice(i % 2 === 0 ? 523 : 519); // ~$4 swings: delta far past the threshold each tick
    if (sentAt > 0) latencies.push(sentAt - t0);
    await clock.advance(2); // the fill arrives before the next tick
  }
  daemon.requestStop("bench done");
  await clock.advance(5_000);
  await daemon.stopped;
  await sink.flush();
  const rows = inner.health().writtenRows;
  await inner.close();
  rmSync(directory, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { label, p50: at(0.5) * 1000, p99: at(0.99) * 1000, max: (latencies.at(-1) ?? Number.NaN) * 1000, rows };
}

const baseline = await measure("real SQLite sink", (sink) => sink);
const slow = await measure(`sink delaying every write by ${WRITE_DELAY_MS} ms`, slowSink);
console.log(`tick-to-order latency over ${HEDGES} hedges (microseconds)`);
for (const run of [baseline, slow]) {
  console.log(`${run.label.padEnd(40)} p50 ${run.p50.toFixed(1).padStart(7)}  p99 ${run.p99.toFixed(1).padStart(7)}  max ${run.max.toFixed(1).padStart(8)}  rows written ${run.rows}`);
}
console.log(`p99 ratio slow/baseline: ${(slow.p99 / baseline.p99).toFixed(2)}  p50 ratio: ${(slow.p50 / baseline.p50).toFixed(2)}`);
