// A second OS process using a sink, for the cross-process contract tests (a SQLite
// connection in the same process could never be observed mid-transaction).
//
//   bun test/support/sink-process.ts '{"kind":"sqlite","location":"/tmp/x/gs.db","spoolPath":"...","mode":"migrate"}'
//   ... "mode":"write","count":5000,"batchRows":500,"tag":"w"   (writes operations w:0..w:4999)
//   ... "mode":"claim","count":50,"tag":"p1"   (claims daemon ids race-0..race-49 as p1; prints those it won)
import type { Sink } from "../../src/sink/port.ts";
import { PostgresSink } from "../../src/sink/postgres/postgres-sink.ts";
import { SqliteSink } from "../../src/sink/sqlite/sqlite-sink.ts";
import type { SinkKind } from "./sinks.ts";

export interface SinkProcessJob {
  readonly kind: SinkKind;
  readonly location: string;
  readonly spoolPath: string;
  readonly mode: "migrate" | "write" | "claim";
  readonly count?: number;
  readonly batchRows?: number;
  readonly tag?: string;
  /** Claim mode: wall time to begin at, so that racing processes start their rounds together. */
  readonly startAtMs?: number;
}

export function spawnSinkProcess(job: SinkProcessJob): Bun.Subprocess<"ignore", "pipe", "pipe"> {
  return Bun.spawn([process.execPath, import.meta.path, JSON.stringify(job)], { stdout: "pipe", stderr: "pipe" });
}

/** Exit code and output of a finished job; throws with its stderr if it failed. */
export async function finished(child: Bun.Subprocess<"ignore", "pipe", "pipe">): Promise<string> {
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`sink process exited ${code}: ${stderr}`);
  return stdout.trim();
}

async function run(job: SinkProcessJob): Promise<void> {
  const options = { spoolPath: job.spoolPath, batchRows: job.batchRows, capacityRows: 1_000_000 };
  const sink: Sink =
    job.kind === "sqlite"
      ? SqliteSink.open({ ...options, path: job.location, busyTimeoutMs: 10_000 })
      : PostgresSink.open({ ...options, url: job.location });
  const version = await sink.migrate();
  if (job.mode === "write") {
    for (let index = 0; index < (job.count ?? 0); index += 1) {
      sink.writeOperation({
        opId: `${job.tag}:${index}`,
        tsMs: 1_700_000_000_000 + index,
        daemonId: "writer",
        type: "order_sent",
        orderRef: `gs:test:${job.tag}`,
        brokerOrderId: index,
        execId: null,
        side: "BUY",
        quantityShares: 1,
        price: 500.25,
        commissionUsd: null,
        reason: null,
        payload: null,
      });
    }
  }
  const won: string[] = [];
  if (job.mode === "claim") {
    await Bun.sleep(Math.max(0, (job.startAtMs ?? 0) - Date.now()));
    for (let index = 0; index < (job.count ?? 0); index += 1) {
      const daemonId = `race-${index}`;
      const claim = await sink.claimDaemonId({ daemonId, token: `${job.tag}-token`, host: `${job.tag}-host`, pid: process.pid, leaseMs: 600_000 });
      if (claim.type === "won") won.push(daemonId);
    }
  }
  await sink.flush();
  const health = sink.health();
  await sink.close();
  console.log(JSON.stringify({ version, writtenRows: health.writtenRows, won }));
}

if (import.meta.main) await run(JSON.parse(process.argv[2] ?? "{}") as SinkProcessJob);
