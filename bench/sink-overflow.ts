// The write* call that finds the queue full, before and after the spill moved off the
// caller's path. Usage: bun bench/sink-overflow.ts [capacityRows=100000] [rounds=3]
//
// - full-queue call: Bun.nanoseconds() around every writeOperation() of a SQLite sink that
//   is not migrated (nothing drains, so the queue fills and overflows every capacityRows
//   calls); the spill itself then runs in setImmediate, outside the timed call.
// - baseline (same run): the other calls of the same loop (p50/p99), and what the call used to
//   do inline: Spool.append (JSON lines + fsync) of the same capacityRows rows.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OperationRow } from "../src/sink/records.ts";
import { SqliteSink } from "../src/sink/sqlite/sqlite-sink.ts";
import { Spool } from "../src/sink/spool.ts";

const CAPACITY_ROWS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const directory = mkdtempSync(join(tmpdir(), "gs-bench-overflow-"));

function operation(index: number): OperationRow {
  return {
    opId: `overflow:${index}`,
    tsMs: 1_736_173_800_000 + index,
    daemonId: "bench",
    type: index % 4 === 3 ? "fill" : "order_sent",
    orderRef: `gs:scalp:SPY:${index >> 2}`,
    brokerOrderId: index,
    execId: index % 4 === 3 ? `exec.${index}` : null,
    side: index % 2 === 0 ? "BUY" : "SELL",
    quantityShares: 25,
    price: 581.37,
    commissionUsd: index % 4 === 3 ? 1.25 : null,
    reason: null,
    payload: { seq: index },
  };
}

const ms = (ns: number): string => (ns / 1e6).toFixed(3);
const us = (ns: number): string => (ns / 1e3).toFixed(2);

try {
  const sink = SqliteSink.open({ path: join(directory, "gs.db"), spoolPath: join(directory, "spool.jsonl"), capacityRows: CAPACITY_ROWS });
  const rows = Array.from({ length: CAPACITY_ROWS * ROUNDS }, (_, index) => operation(index));
  const fullQueueCallsNs: number[] = [];
  const otherCallsNs: number[] = [];
  for (let index = 0; index < rows.length; index += 1) {
    const row = rows[index] as OperationRow;
    const start = Bun.nanoseconds();
    sink.writeOperation(row);
    const elapsed = Bun.nanoseconds() - start;
    if ((index + 1) % CAPACITY_ROWS === 0) {
      fullQueueCallsNs.push(elapsed);
      await new Promise((resolve) => setImmediate(resolve)); // the spill runs here, untimed
    } else otherCallsNs.push(elapsed);
  }
  const spooled = sink.health().spooledRows;
  await sink.close();

  const inlineSpillNs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const spool = new Spool(join(directory, `inline-${round}.jsonl`));
    const batch = rows.slice(0, CAPACITY_ROWS).map((row, index) => ({ seq: index + 1, write: { type: "operation" as const, row } }));
    const start = Bun.nanoseconds();
    spool.append(batch);
    inlineSpillNs.push(Bun.nanoseconds() - start);
  }

  otherCallsNs.sort((a, b) => a - b);
  const p = (q: number): number => otherCallsNs[Math.min(otherCallsNs.length - 1, Math.floor(q * otherCallsNs.length))] ?? Number.NaN;
  const worstFull = Math.max(...fullQueueCallsNs);
  const meanInline = inlineSpillNs.reduce((sum, each) => sum + each, 0) / inlineSpillNs.length;
  console.log(`capacity ${CAPACITY_ROWS} rows, ${ROUNDS} overflows, ${spooled} rows spooled`);
  console.log(`other calls: p50 ${us(p(0.5))} µs, p99 ${us(p(0.99))} µs`);
  console.log(`full-queue calls now: ${fullQueueCallsNs.map(us).join(", ")} µs (worst ${us(worstFull)} µs)`);
  console.log(`what the call did inline before (Spool.append of ${CAPACITY_ROWS} rows): ${inlineSpillNs.map(ms).join(", ")} ms (mean ${ms(meanInline)} ms)`);
  console.log(`ratio inline spill / worst full-queue call now: ${(meanInline / worstFull).toFixed(0)}x`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
