// `gs check phase1`: the Phase 1 acceptance cases, run for real. It starts `gs daemon` on the
// simulated market as a child process (fast heartbeat, temp files; the configured sink, or a
// temp SQLite file when the sink is SQLite), watches the sink, and stops it with SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config/load.ts";
import { openSink } from "../sink/open-sink.ts";
import type { Sink } from "../sink/port.ts";
import type { StatusRow, StoredOperation } from "../sink/records.ts";

const CHECK_DAEMON_ID = "phase1-check";
const HEARTBEAT_S = 0.25;
const STOP_BOUND_MS = 10_000;
const READY_BOUND_MS = 20_000;
/** A status row older than this means the heartbeat stalled (generous: the machine may be busy). */
const MAX_HEARTBEAT_AGE_MS = 3_000;

export interface Phase1CaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface Phase1CheckInputs {
  readonly configPath: string | null;
  readonly overrides: readonly string[];
  /** How to start this same gs (`[bun, main.ts]` in development, `[gs]` compiled). */
  readonly selfCommand: readonly string[];
}

export async function runPhase1Check(inputs: Phase1CheckInputs): Promise<Phase1CaseResult[]> {
  const workDir = mkdtempSync(join(tmpdir(), "gs-check-phase1-"));
  const results: Phase1CaseResult[] = [];
  const record = (name: string, passed: boolean, detail: string): boolean => {
    results.push({ name, passed, detail });
    return passed;
  };
  const base = loadConfig({ configPath: inputs.configPath, overrides: inputs.overrides });
  const checkSettings = [
    "broker=sim",
    `status.daemon_id=${CHECK_DAEMON_ID}`,
    `status.heartbeat_s=${HEARTBEAT_S}`,
    `status.spool_path=${join(workDir, "spool.ndjson")}`,
    `control.file=${join(workDir, "gs.control")}`,
    "control.poll_ms=100",
    ...(base.config.status.sink === "sqlite" ? [`status.sqlite.path=${join(workDir, "gs.db")}`] : []),
  ];
  const { config } = loadConfig({ configPath: inputs.configPath, overrides: [...inputs.overrides, ...checkSettings] });
  const where = config.status.sink === "sqlite" ? `sqlite ${config.status.sqlite.path}` : "postgres (status.postgres.url)";
  let sink: Sink | null = null;
  let child: ReturnType<typeof Bun.spawn> | null = null;
  try {
    const sinkCase = "sink writable (status row written and read back)";
    let opened: Sink;
    try {
      opened = await openSink(config);
    } catch (error) {
      record(sinkCase, false, error instanceof Error ? error.message : String(error));
      return results;
    }
    sink = opened;
    const probe = await probeSink(opened);
    if (!record(sinkCase, probe === null, probe ?? where)) return results;

    // The daemon gets the very file this check loaded (from --config, GS_CONFIG or ./gs.toml),
    // by absolute path, and this working directory, so relative paths in it mean the same;
    // every file it writes was moved into workDir by checkSettings.
    const args = [...inputs.selfCommand, "daemon", ...(base.filePath === null ? [] : ["--config", base.filePath])];
    for (const setting of [...inputs.overrides, ...checkSettings]) args.push("--set", setting);
    const startedMs = Date.now();
    child = Bun.spawn(args, { stdout: "ignore", stderr: "pipe", env: { ...process.env, GS_CONFIG: "" } });

    const running = await waitFor(() => readStatus(opened), (row) => row?.state === "RUNNING" && row.tsMs >= startedMs, READY_BOUND_MS);
    if (!record("status_current written on entering RUNNING", running !== null, running ? `after ${running.tsMs - startedMs} ms` : `no RUNNING row within ${READY_BOUND_MS / 1000} s`)) return results;

    const first = await readStatus(opened);
    await Bun.sleep(HEARTBEAT_S * 4 * 1000);
    const second = await readStatus(opened);
    const advanced = first !== null && second !== null && second.tsMs > first.tsMs && Date.now() - second.tsMs <= MAX_HEARTBEAT_AGE_MS;
    record("heartbeat advancing", advanced, second ? `age ${Date.now() - second.tsMs} ms, heartbeat ${HEARTBEAT_S * 1000} ms` : "no status row");

    // Rows of this run only: a PostgreSQL sink keeps earlier checks' rows under the same daemon id.
    const fill = await waitFor(() => firstFillSince(opened, startedMs), (row) => row !== null, READY_BOUND_MS);
    record("operations written for a hedge (intent, sent, ack, fill)", ...(await describeHedgeTrail(opened, fill)));

    const history = await opened.queryHistory({ daemonId: CHECK_DAEMON_ID, sinceMs: startedMs, limit: 1_000 });
    const historyStates = new Set(history.map((row) => row.state));
    record("status_history appended (one row per operation)", history.length >= 4 && historyStates.has("RUNNING"), `${history.length} rows, states ${[...historyStates].join(", ")}`);

    writeFileSync(config.control.file, "pause\n");
    const paused = await waitFor(() => readStatus(opened), (row) => row?.state === "PAUSED", READY_BOUND_MS);
    record("control file command consumed (pause)", paused !== null, paused ? "state PAUSED, control operation recorded" : "daemon did not pause");

    const signalMs = Date.now();
    child.kill("SIGTERM");
    const exitCode = await exitWithin(child, STOP_BOUND_MS);
    const stopMs = Date.now() - signalMs;
    const final = await readStatus(opened);
    const stoppedOk = exitCode === 0 && final?.state === "STOPPED";
    record(
      "SIGTERM: graceful stop, exit 0 within 10 s, final state STOPPED",
      stoppedOk,
      exitCode === null ? `still running after ${STOP_BOUND_MS / 1000} s` : `exit ${exitCode} after ${stopMs} ms, state ${final?.state ?? "none"}`,
    );
    if (exitCode !== null) child = null;
    return results;
  } catch (error) {
    record("unexpected error", false, error instanceof Error ? error.message : String(error));
    return results;
  } finally {
    if (child !== null) child.kill("SIGKILL");
    await sink?.close().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function probeSink(sink: Sink): Promise<string | null> {
  const row: StatusRow = {
    daemonId: CHECK_DAEMON_ID,
    tsMs: Date.now(),
    state: "STOPPED",
    hedgeState: "idle",
    symbol: "-",
    spot: null,
    bid: null,
    ask: null,
    portfolioDeltaShares: null,
    optionDeltaShares: null,
    hedgeShares: 0,
    pendingShares: 0,
    legsCount: 0,
    dailyHedgeCount: 0,
    dailyRealizedPnlUsd: 0,
    unrealizedPnlUsd: null,
    dataAgeMs: null,
    brokerConnected: false,
    paused: false,
    blockReasons: [],
    configHash: "phase1-check",
    heartbeatIntervalS: HEARTBEAT_S,
    details: {},
  };
  sink.writeStatus(row, { history: false });
  await sink.flush();
  const health = sink.health();
  if (health.lastError !== null && health.failedWrites > 0) return `write failed: ${health.lastError}`;
  const [back] = await sink.readStatusCurrent(CHECK_DAEMON_ID);
  return back?.tsMs === row.tsMs ? null : "the row written was not read back";
}

async function readStatus(sink: Sink): Promise<StatusRow | null> {
  return (await sink.readStatusCurrent(CHECK_DAEMON_ID))[0] ?? null;
}

async function firstFillSince(sink: Sink, sinceMs: number): Promise<StoredOperation | null> {
  return (await sink.queryOperations({ daemonId: CHECK_DAEMON_ID, types: ["fill"], sinceMs, limit: 1 }))[0] ?? null;
}

async function describeHedgeTrail(sink: Sink, fill: StoredOperation | null): Promise<[boolean, string]> {
  if (fill === null || fill.orderRef === null) return [false, `no fill within ${READY_BOUND_MS / 1000} s`];
  const trail = await sink.queryOperations({ daemonId: CHECK_DAEMON_ID, orderRef: fill.orderRef, limit: 100 });
  const types = new Set(trail.map((operation) => operation.type));
  const missing = (["hedge_intent", "order_sent", "order_ack", "fill"] as const).filter((type) => !types.has(type));
  if (missing.length > 0) return [false, `order ${fill.orderRef} lacks ${missing.join(", ")}`];
  if (fill.price === null || fill.commissionUsd === null) return [false, "fill without execution price or commission"];
  return [true, `${fill.side} ${fill.quantityShares} @ ${fill.price}, commission ${fill.commissionUsd} USD`];
}

function exitWithin(child: ReturnType<typeof Bun.spawn>, boundMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), boundMs);
    void child.exited.then((code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, boundMs: number): Promise<T | null> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    const value = await read();
    if (done(value)) return value;
    await Bun.sleep(100);
  }
  return null;
}

export function formatPhase1Table(results: readonly Phase1CaseResult[]): string {
  const width = Math.max(...results.map((result) => result.name.length), 4);
  const lines = [`${"#".padStart(2)}  ${"case".padEnd(width)}  result  detail`];
  results.forEach((result, index) => {
    lines.push(`${String(index + 1).padStart(2)}  ${result.name.padEnd(width)}  ${result.passed ? "PASS  " : "FAIL  "}  ${result.detail}`);
  });
  const failed = results.filter((result) => !result.passed).length;
  lines.push(failed === 0 ? `all ${results.length} phase-1 cases passed` : `${failed} of ${results.length} phase-1 cases failed`);
  return lines.join("\n");
}
