// GET /status throughput and p99 latency of `gs serve` while a writer process keeps writing
// status rows, next to a bare Elysia route served the same way in the same run.
//
//   bun bench/serve.ts [--sink sqlite|postgres] [--seconds 5] [--connections 32] [--rounds 2]
//
// Three processes: this driver (load generator), a target process serving both the gs app
// (real sink) and a bare Elysia app on two ports, and a writer process writing a status row
// (current + history) every 20 ms and an operation every 50 ms to the same database (a
// SQLite file, or a fresh database on the throwaway PostgreSQL cluster of the tests).
// Rounds alternate bare/status so drift hits both; the report gives medians and the ratio.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const STATUS_EVERY_MS = 20;
const OPERATION_EVERY_MS = 50;
const WARMUP_MS = 1000;

type BenchSinkKind = "sqlite" | "postgres";

const mode = process.argv[2];
if (mode === "--target") await runTarget(process.argv[3] as BenchSinkKind, process.argv[4] ?? "", process.argv[5] ?? "", Number(process.argv[6]), Number(process.argv[7]));
else if (mode === "--writer") await runWriter(process.argv[3] as BenchSinkKind, process.argv[4] ?? "", process.argv[5] ?? "");
else await runDriver();

/** The real sink on a SQLite file or a PostgreSQL URL, migrated; spool files stay in the run's directory. */
async function openBenchSink(kind: BenchSinkKind, location: string, directory: string) {
  const spoolPath = join(directory, `spool-${process.pid}.jsonl`);
  if (kind === "postgres") {
    const { PostgresSink } = await import("../src/sink/postgres/postgres-sink.ts");
    const sink = PostgresSink.open({ url: location, spoolPath });
    await sink.migrate();
    return sink;
  }
  const { SqliteSink } = await import("../src/sink/sqlite/sqlite-sink.ts");
  const sink = SqliteSink.open({ path: location, spoolPath });
  await sink.migrate();
  return sink;
}

async function runTarget(kind: BenchSinkKind, location: string, directory: string, gsPort: number, barePort: number): Promise<void> {
  const { Elysia } = await import("elysia");
  const { loadConfig } = await import("../src/config/load.ts");
  const { startServer } = await import("../src/server/start-server.ts");
  const { consoleServerLog } = await import("../src/server/server-log.ts");
  const sink = await openBenchSink(kind, location, directory);
  const loaded = loadConfig({ env: {}, overrides: [`server.port=${gsPort}`, "status.daemon_id=bench"] });
  await startServer({ config: loaded.config, log: consoleServerLog([], "text", () => {}), version: "bench", sink });
  new Elysia().get("/bare", () => ({ ok: true })).listen({ hostname: "127.0.0.1", port: barePort });
  process.stdout.write("ready\n");
}

async function runWriter(kind: BenchSinkKind, location: string, directory: string): Promise<void> {
  const sink = await openBenchSink(kind, location, directory);
  let sequence = 0;
  const startMs = Date.now();
  setInterval(() => {
    sequence += 1;
    sink.writeStatus(benchStatusRow(Date.now(), sequence), { history: true });
  }, STATUS_EVERY_MS);
  setInterval(() => {
    sink.writeOperation({ opId: `bench:${startMs}:${sequence}:${Math.random()}`, tsMs: Date.now(), daemonId: "bench", type: "hedge_intent", orderRef: `gs:bench:SPY:${sequence}`, brokerOrderId: null, execId: null, side: "BUY", quantityShares: 25, price: 581.2, commissionUsd: null, reason: "delta_threshold", payload: null });
  }, OPERATION_EVERY_MS);
  process.stdout.write("ready\n");
}

function benchStatusRow(tsMs: number, sequence: number) {
  const leg = (right: "C" | "P", delta: number) => ({ contractKey: `SPY|OPT|20250131|580|${right}`, right, strike: 580, expiryYmd: "20250131", quantity: 10, multiplier: 100, impliedVol: 0.13, delta, gamma: 0.021, theta: -0.14, vega: 0.61, price: 8.2, greeksSource: "broker" as const });
  return {
    daemonId: "bench",
    tsMs,
    state: "RUNNING" as const,
    hedgeState: "idle",
    symbol: "SPY",
    spot: 581 + (sequence % 100) / 100,
    bid: 581,
    ask: 581.02,
    portfolioDeltaShares: (sequence % 50) - 25,
    optionDeltaShares: 60,
    hedgeShares: -60,
    pendingShares: 0,
    legsCount: 2,
    dailyHedgeCount: 3,
    dailyRealizedPnlUsd: 120,
    unrealizedPnlUsd: -14,
    dataAgeMs: 150,
    brokerConnected: true,
    paused: false,
    blockReasons: [],
    configHash: "bench",
    heartbeatIntervalS: 5,
    details: { brokerName: "sim" as const, marketDataKind: "live" as const, legs: [leg("C", 0.53), leg("P", -0.47)], dailyHedgeLimit: 50, realizedVolToday: 0.15, impliedVol: 0.13, breakevenMoveUsd: 3.6, breakevenMovePct: 0.62 },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function processCpuS(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  const ticksPerSecond = 100; // USER_HZ on Linux
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

interface LoadResult {
  /** Server CPU per request in the target process: independent of how busy the machine is. */
  readonly serverCpuUsPerRequest: number;
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

async function load(url: string, seconds: number, connections: number, serverPid: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let cpuAtStartS = 0;
  let errors = 0;
  const warmupEnd = performance.now() + WARMUP_MS;
  const end = warmupEnd + seconds * 1000;
  let measuredStart = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const start = performance.now();
      try {
        const response = await fetch(url);
        await response.arrayBuffer();
        if (response.status !== 200) errors += 1;
      } catch {
        errors += 1;
      }
      if (start >= warmupEnd) latencies.push(performance.now() - start);
    }
  };
  setTimeout(() => {
    measuredStart = performance.now();
    cpuAtStartS = processCpuS(serverPid);
  }, WARMUP_MS);
  await Promise.all(Array.from({ length: connections }, worker));
  const serverCpuS = processCpuS(serverPid) - cpuAtStartS;
  const elapsedS = (performance.now() - (measuredStart || warmupEnd)) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (fraction: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? Number.NaN;
  return { serverCpuUsPerRequest: (serverCpuS * 1e6) / latencies.length, requests: latencies.length, perSecond: latencies.length / elapsedS, p50Ms: at(0.5), p99Ms: at(0.99), errors };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function waitReady(child: Bun.Subprocess<"ignore", "pipe", "inherit">): Promise<void> {
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  if (!new TextDecoder().decode(value).includes("ready")) throw new Error("bench child did not start");
  reader.releaseLock();
}

async function runDriver(): Promise<void> {
  const { values } = parseArgs({ options: { sink: { type: "string", default: "sqlite" }, seconds: { type: "string", default: "5" }, connections: { type: "string", default: "32" }, rounds: { type: "string", default: "2" } } });
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  if (values.sink !== "sqlite" && values.sink !== "postgres") throw new Error(`--sink was ${values.sink}, expected sqlite or postgres`);
  const kind: BenchSinkKind = values.sink;
  const directory = mkdtempSync(join(tmpdir(), "gs-bench-serve-"));
  const { createTestDatabase, freeLoopbackPort } = await import("../test/support/postgres.ts");
  const database = kind === "postgres" ? await createTestDatabase() : null;
  const location = database?.url ?? join(directory, "gs.db");
  const gsPort = await freeLoopbackPort();
  const barePort = await freeLoopbackPort();
  const spawn = (args: string[]) => Bun.spawn([process.execPath, import.meta.path, ...args], { stdout: "pipe", stderr: "inherit", stdin: "ignore" });
  const writer = spawn(["--writer", kind, location, directory]);
  await waitReady(writer);
  const target = spawn(["--target", kind, location, directory, String(gsPort), String(barePort)]);
  try {
    await waitReady(target);
    const bare: LoadResult[] = [];
    const status: LoadResult[] = [];
    for (let round = 0; round < rounds; round += 1) {
      bare.push(await load(`http://127.0.0.1:${barePort}/bare`, seconds, connections, target.pid));
      status.push(await load(`http://127.0.0.1:${gsPort}/status`, seconds, connections, target.pid));
    }
    const summary = (name: string, results: LoadResult[]) =>
      `${name.padEnd(16)} ${median(results.map((result) => result.perSecond)).toFixed(0).padStart(7)} req/s   p50 ${median(results.map((result) => result.p50Ms)).toFixed(2)} ms   p99 ${median(results.map((result) => result.p99Ms)).toFixed(2)} ms   server CPU ${median(results.map((result) => result.serverCpuUsPerRequest)).toFixed(1)} µs/request   errors ${results.reduce((sum, result) => sum + result.errors, 0)}`;
    const ratio = median(status.map((result) => result.perSecond)) / median(bare.map((result) => result.perSecond));
    console.log(`gs serve bench (${kind}): ${connections} connections, ${rounds} x ${seconds} s per route (after ${WARMUP_MS} ms warm-up), writer: status row every ${STATUS_EVERY_MS} ms + operation every ${OPERATION_EVERY_MS} ms`);
    console.log(summary("bare Elysia", bare));
    console.log(summary("GET /status", status));
    const cpuRatio = median(status.map((result) => result.serverCpuUsPerRequest)) / median(bare.map((result) => result.serverCpuUsPerRequest));
    console.log(`GET /status throughput = ${(ratio * 100).toFixed(1)}% of the bare route (target >= 50%); server CPU per request = ${cpuRatio.toFixed(2)} x the bare route's`);
  } finally {
    target.kill();
    writer.kill();
    await Promise.all([target.exited, writer.exited]);
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
  }
}
