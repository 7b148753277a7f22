// Sink write throughput and caller-side enqueue latency, on SQLite and PostgreSQL,
// with same-run baselines. Usage: bun bench/sink.ts [rows=200000]
//
// - enqueue latency: Bun.nanoseconds() around each writeOperation() call, p50/p99;
//   baseline: the same loop pushing the same row objects into a plain array.
// - sustained rate: rows/s from the first enqueue until flush() resolves, the producer
//   yielding every 1000 rows and pausing while more than 50k rows are queued (so the
//   number is what the database absorbs, not what memory absorbs; spooled rows are shown).
// - baseline rate: one INSERT per row, one transaction each (SQLite prepared statement in
//   autocommit; PostgreSQL an awaited parameterised INSERT).
//
// - per CPU-second: the same rows divided by the CPU time spent (this process, plus the
//   PostgreSQL cluster's processes when the bench started it): a figure that a shared,
//   overloaded machine does not distort the way wall-clock rates are.
//
// PostgreSQL: GS_TEST_PG_URL if set, else a throwaway cluster with default (durable)
// settings when the binaries exist, else skipped with the reason.
import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { Sink } from "../src/sink/port.ts";
import { PostgresSink } from "../src/sink/postgres/postgres-sink.ts";
import type { OperationRow } from "../src/sink/records.ts";
import { SqliteSink } from "../src/sink/sqlite/sqlite-sink.ts";
import { operationValues } from "../src/sink/sqlite/sqlite-rows.ts";
import { postgresAvailability, startThrowawayCluster } from "../test/support/postgres.ts";

const ROWS = Number(process.argv[2] ?? 200_000);
const BASELINE_ROWS = 3_000;
const directory = mkdtempSync(join(tmpdir(), "gs-bench-sink-"));

function operation(index: number, run: string): OperationRow {
  return {
    opId: `${run}:${index}`,
    tsMs: 1_736_173_800_000 + index,
    daemonId: "bench",
    type: index % 4 === 3 ? "fill" : "order_sent",
    orderRef: `gs:scalp:SPY:${index >> 2}`,
    brokerOrderId: index,
    execId: index % 4 === 3 ? `exec.${run}.${index}` : null,
    side: index % 2 === 0 ? "BUY" : "SELL",
    quantityShares: 25,
    price: 581.37,
    commissionUsd: index % 4 === 3 ? 1.25 : null,
    reason: null,
    payload: { seq: index },
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

interface Measured {
  readonly rowsPerS: number;
  /** Rows per CPU-second of this process (and of the PostgreSQL server, when it is ours). */
  readonly rowsPerCpuS: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly spooled: number;
}

/** The bare-loop baseline: push the same row objects into an array. */
function arrayPushBaseline(rows: readonly OperationRow[]): { p50Us: number; p99Us: number } {
  const sink: unknown[] = [];
  const latencies = new Float64Array(rows.length);
  for (let index = 0; index < rows.length; index += 1) {
    const start = Bun.nanoseconds();
    sink.push({ type: "operation", row: rows[index] });
    latencies[index] = (Bun.nanoseconds() - start) / 1_000;
  }
  latencies.sort();
  return { p50Us: percentile(latencies, 0.5), p99Us: percentile(latencies, 0.99) };
}

/** CPU seconds used so far by the processes of a PostgreSQL cluster (postmaster and children). */
function clusterCpuS(dataDir: string | null): number {
  if (dataDir === null) return 0;
  const postmaster = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the ")" of the command: state ppid ... utime(14) stime(15), 1-based from pid.
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      if (Number(entry) === postmaster || Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended while being read
    }
  }
  return ticks / 100; // USER_HZ
}

function processCpuS(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function sustained(sink: Sink, rows: readonly OperationRow[], serverDataDir: string | null = null): Promise<Measured> {
  const latencies = new Float64Array(rows.length);
  const cpuBefore = processCpuS() + clusterCpuS(serverDataDir);
  const started = performance.now();
  for (let index = 0; index < rows.length; index += 1) {
    const row = rows[index] as OperationRow;
    const start = Bun.nanoseconds();
    sink.writeOperation(row);
    latencies[index] = (Bun.nanoseconds() - start) / 1_000;
    if (index % 1_000 === 999) {
      await new Promise((resolve) => setImmediate(resolve));
      while (sink.health().queueDepth > 50_000) await Bun.sleep(1);
    }
  }
  await sink.flush();
  const elapsedS = (performance.now() - started) / 1_000;
  const cpuS = processCpuS() + clusterCpuS(serverDataDir) - cpuBefore;
  latencies.sort();
  return {
    rowsPerS: rows.length / elapsedS,
    rowsPerCpuS: rows.length / cpuS,
    p50Us: percentile(latencies, 0.5),
    p99Us: percentile(latencies, 0.99),
    spooled: sink.health().spooledRows,
  };
}

function sqliteRawInsertRate(path: string, rows: readonly OperationRow[]): number {
  const db = new Database(path);
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = NORMAL");
  const insert = db.prepare(
    "INSERT INTO operations (op_id, exec_id, ts_ms, daemon_id, type, order_ref, broker_order_id, side, quantity_shares, price_micros, commission_micros, reason, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const started = performance.now();
  for (const row of rows) insert.run(...operationValues(row));
  const rate = rows.length / ((performance.now() - started) / 1_000);
  db.close();
  return rate;
}

async function postgresRawInsertRate(url: string, rows: readonly OperationRow[]): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const started = performance.now();
  for (const row of rows) {
    await sql`INSERT INTO operations (op_id, exec_id, ts_ms, daemon_id, type, order_ref, broker_order_id, side, quantity_shares, price, commission_usd, reason, payload)
      VALUES (${row.opId}, ${row.execId}, ${row.tsMs}, ${row.daemonId}, ${row.type}, ${row.orderRef}, ${row.brokerOrderId}, ${row.side},
              ${row.quantityShares}, ${row.price}, ${row.commissionUsd}, ${row.reason}, ${JSON.stringify(row.payload)}::text::jsonb)`;
  }
  const rate = rows.length / ((performance.now() - started) / 1_000);
  await sql.end();
  return rate;
}

function report(kind: string, measured: Measured, rawRate: number, baseline: { p50Us: number; p99Us: number }): void {
  const f = (n: number, digits = 2) => n.toFixed(digits);
  console.log(`\n[${kind}] ${ROWS} operations rows (load average ${loadavg().map((n) => n.toFixed(1)).join(" ")})`);
  console.log(`  sustained write rate (queue + batches): ${Math.round(measured.rowsPerS).toLocaleString("en-US")} rows/s, spooled ${measured.spooled}`);
  console.log(`  per CPU-second (bench process${kind === "postgres" ? " + server" : ""}): ${Math.round(measured.rowsPerCpuS).toLocaleString("en-US")} rows`);
  console.log(`  baseline, one INSERT per transaction:   ${Math.round(rawRate).toLocaleString("en-US")} rows/s  -> ratio ${f(measured.rowsPerS / rawRate, 1)}x`);
  console.log(`  enqueue latency p50 ${f(measured.p50Us)} us, p99 ${f(measured.p99Us)} us`);
  console.log(`  baseline array push p50 ${f(baseline.p50Us)} us, p99 ${f(baseline.p99Us)} us -> p99 ratio ${f(measured.p99Us / baseline.p99Us, 1)}x`);
}

async function benchSqlite(): Promise<void> {
  const path = join(directory, "bench.db");
  const sink = SqliteSink.open({ path, spoolPath: join(directory, "sqlite-spool.jsonl") });
  await sink.migrate();
  const rows = Array.from({ length: ROWS }, (_, index) => operation(index, "s"));
  const baseline = arrayPushBaseline(rows);
  const measured = await sustained(sink, rows);
  await sink.close();
  const rawRate = sqliteRawInsertRate(path, Array.from({ length: BASELINE_ROWS }, (_, index) => operation(index, "raw")));
  report("sqlite", measured, rawRate, baseline);
}

async function benchPostgres(): Promise<void> {
  const availability = postgresAvailability();
  if (!availability.available) {
    console.log(`\n[postgres] skipped: ${availability.reason}`);
    return;
  }
  const cluster =
    availability.source === "GS_TEST_PG_URL" ? null : await startThrowawayCluster(availability.binDir ?? "", { durable: true });
  const adminUrl = cluster?.adminUrl ?? String(process.env.GS_TEST_PG_URL);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `gs_bench_${process.pid}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    const sink = PostgresSink.open({ url: url.toString(), spoolPath: join(directory, "pg-spool.jsonl") });
    await sink.migrate();
    const rows = Array.from({ length: ROWS }, (_, index) => operation(index, "p"));
    const baseline = arrayPushBaseline(rows);
    const measured = await sustained(sink, rows, cluster?.dataDir ?? null);
    await sink.close();
    const rawRate = await postgresRawInsertRate(url.toString(), Array.from({ length: BASELINE_ROWS }, (_, index) => operation(index, "raw")));
    report("postgres", measured, rawRate, baseline);
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    cluster?.destroy();
  }
}

try {
  await benchSqlite();
  await benchPostgres();
} finally {
  rmSync(directory, { recursive: true, force: true });
}
