// What `gs backtest` does with its parsed flags: one run or a sweep, then the report
// (text, --json, --html), the decision log, and the runs recorded in the sink.
// Returns the exit code: 0, or 1 when the guard verification found a violation.
import { closeSync, constants, existsSync, lstatSync, openSync, readlinkSync, statSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { GsConfig } from "../config/schema.ts";
import { UserError } from "../config/user-error.ts";
import { progressBar } from "./progress-bar.ts";
import { renderTextReport, table, usd } from "./report-text.ts";
import { runBacktest } from "./run-backtest.ts";
import type { BacktestRequest } from "./run-backtest.ts";
import { loadRequestConfig } from "./run-backtest.ts";
import type { FinishedRun } from "./save-runs.ts";
import { checkSweepAxes } from "./sweep/sweep-axis-check.ts";
import { parseSweepAxes } from "./sweep/sweep-grid.ts";
import { rankRuns, runSweep } from "./sweep/sweep-runner.ts";
import type { SweepRanking } from "./sweep/sweep-runner.ts";

export interface BacktestCommand {
  readonly request: BacktestRequest;
  readonly sweeps: readonly string[];
  readonly workers: number | undefined;
  readonly rank: SweepRanking;
  readonly json: boolean;
  readonly htmlPath: string | null;
  readonly logPath: string | null;
  readonly save: boolean;
}

const EXIT_VIOLATIONS = 1;
/** The run finished (and was recorded), but its --html file could not be written. */
const EXIT_REPORT_NOT_WRITTEN = 1;

function out(text: string): void {
  process.stdout.write(text);
}

/**
 * An output file's directory must exist, the path must not be a directory, and the file must
 * open for writing: checked before the run, so a long run is not lost to a bad path at its end.
 */
function checkOutputPath(path: string | null, flag: string): void {
  if (path === null) return;
  const directory = dirname(resolve(path));
  let directoryOk = false;
  try {
    directoryOk = statSync(directory).isDirectory();
  } catch {
    directoryOk = false;
  }
  if (!directoryOk) throw new UserError(`${flag} was '${path}', but the directory ${directory} does not exist; expected a file in an existing directory`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`${flag} was '${path}', which is a directory; expected a file path`);
  try {
    probeWritable(path, 0);
  } catch (error) {
    throw new UserError(`${flag} was '${path}', which cannot be written (${errorText(error).split(",")[0]}); expected a writable file path`);
  }
}

/** Linux's limit on symbolic links followed in one lookup (beyond it: a loop). */
const MAX_SYMLINK_HOPS = 40;

/**
 * Opens the file the writer will write (opening is the only honest test: root passes
 * access(2), read-only mounts and /proc do not) and leaves everything as it was: a file it
 * creates is created exclusively and removed, and nothing that was there is ever removed. A
 * dangling symbolic link is kept; the writer will create its target, so that is probed.
 */
function probeWritable(path: string, hops: number): void {
  const entry = lstatSync(path, { throwIfNoEntry: false });
  if (entry === undefined) {
    closeSync(openSync(path, "wx"));
    unlinkSync(path);
    return;
  }
  if (entry.isSymbolicLink() && !existsSync(path)) {
    if (hops >= MAX_SYMLINK_HOPS) throw new Error(`ELOOP: too many symbolic links from ${path}`);
    probeWritable(resolve(dirname(path), readlinkSync(path)), hops + 1);
    return;
  }
  closeSync(openSync(path, constants.O_WRONLY | constants.O_APPEND));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runBacktestCommand(command: BacktestCommand): Promise<number> {
  checkOutputPath(command.logPath, "--log");
  checkOutputPath(command.htmlPath, "--html");
  // Config problems surface before any data is read.
  const { loaded } = loadRequestConfig(command.request);
  for (const warning of loaded.warnings) process.stderr.write(`gs: warning: ${warning}\n`);
  if (command.sweeps.length > 0) return sweepCommand(command, loaded.config);
  const showProgress = !command.json && process.stderr.isTTY === true;
  const bar = progressBar("backtest", showProgress);
  const outcome = await runBacktest(command.request, { logPath: command.logPath, onProgress: (fraction) => bar.update(fraction) });
  bar.done();
  const { summary } = outcome;
  // Recorded first: a report that fails to write late (disk full) must not lose the run.
  const saveProblem = command.save ? await saveFinished(loaded.config, [outcome]) : null;
  const htmlProblem = command.htmlPath === null ? null : await writeHtml(command.htmlPath, outcome);
  if (command.json) out(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    out(renderTextReport(summary));
    if (command.logPath !== null) out(`decision log: ${command.logPath}\n`);
    if (command.htmlPath !== null && htmlProblem === null) out(`html report: ${command.htmlPath}\n`);
    if (command.save && saveProblem === null) out(`run ${summary.runId} recorded in the ${loaded.config.status.sink} sink (backtest_runs)\n`);
  }
  if (saveProblem !== null) process.stderr.write(`gs: warning: run not recorded in the sink: ${saveProblem}\n`);
  if (htmlProblem !== null) {
    process.stderr.write(`gs: --html report not written to '${command.htmlPath}': ${htmlProblem}\n`);
    return EXIT_REPORT_NOT_WRITTEN;
  }
  if (summary.guards.violationCount > 0) {
    process.stderr.write(`gs: guard verification failed: ${summary.guards.violationCount} violation(s); this is a bug in gs, please report it with the decision log\n`);
    return EXIT_VIOLATIONS;
  }
  return 0;
}

/** Why the HTML report could not be written, or null. */
async function writeHtml(path: string, outcome: Awaited<ReturnType<typeof runBacktest>>): Promise<string | null> {
  const { writeHtmlReport } = await import("./report-html.ts");
  try {
    await writeHtmlReport(path, outcome.summary, outcome.result);
    return null;
  } catch (error) {
    return errorText(error);
  }
}

/** The sink (and its drivers) load only when a run is to be recorded. */
async function saveFinished(config: GsConfig, runs: readonly FinishedRun[]): Promise<string | null> {
  const { saveRuns } = await import("./save-runs.ts");
  return saveRuns(config, runs);
}

async function sweepCommand(command: BacktestCommand, config: GsConfig): Promise<number> {
  if (command.logPath !== null || command.htmlPath !== null) throw new UserError("--log and --html describe one run, expected them without --sweep");
  const axes = parseSweepAxes(command.sweeps);
  checkSweepAxes(axes);
  const showProgress = !command.json && process.stderr.isTTY === true;
  const bar = progressBar("sweep", showProgress);
  const outcome = await runSweep(command.request, axes, { ...(command.workers === undefined ? {} : { workers: command.workers }), onRunDone: (done, total) => bar.update(done / total) });
  bar.done();
  const ranked = rankRuns(outcome.runs, command.rank);
  const finished: FinishedRun[] = outcome.runs.map((run) => ({ summary: run.summary, startedAtMs: run.startedAtMs, finishedAtMs: run.finishedAtMs }));
  const saveProblem = command.save ? await saveFinished(config, finished) : null;
  const violations = outcome.runs.reduce((sum, run) => sum + run.summary.guards.violationCount, 0);
  if (command.json) {
    out(`${JSON.stringify({ workers: outcome.workers, wallMs: outcome.wallMs, barSteps: outcome.barSteps, ranked: ranked.map((run) => run.summary), skipped: outcome.skipped }, null, 2)}\n`);
  } else {
    const keys = axes.map((axis) => axis.key);
    const rows = ranked.map((run, i) => [
      String(i + 1),
      ...keys.map((key) => String(run.summary.settings[key] ?? "")),
      usd(run.summary.pnl.totalUsd),
      usd(run.summary.pnl.scalpingUsd),
      usd(-(run.summary.pnl.hedgeSlippageUsd + run.summary.pnl.commissionsUsd)),
      String(run.summary.hedges),
      usd(run.summary.maxDrawdownUsd),
      run.summary.dailySharpe === null ? "n/a" : run.summary.dailySharpe.toFixed(2),
      String(run.summary.guards.violationCount),
    ]);
    const first = ranked[0]?.summary;
    if (first !== undefined) out(`gs backtest sweep: ${ranked.length} runs on ${outcome.workers} worker(s) in ${(outcome.wallMs / 1000).toFixed(2)} s, ranked by ${command.rank}; data ${first.data}, ${first.fromDay} to ${first.toDay}\n`);
    if (first?.clampNote) out(`note: ${first.clampNote}\n`);
    out(`${table(["rank", ...keys, "total", "scalping", "hedge costs", "hedges", "max DD", "Sharpe", "violations"], rows).join("\n")}\n`);
    for (const skip of outcome.skipped) out(`skipped ${skip.assignments.join(" ")}: ${skip.reason.replaceAll("\n", " ")}\n`);
    if (command.save && saveProblem === null) out(`${ranked.length} runs recorded in the ${config.status.sink} sink (backtest_runs)\n`);
  }
  if (saveProblem !== null) process.stderr.write(`gs: warning: runs not recorded in the sink: ${saveProblem}\n`);
  if (violations > 0) {
    process.stderr.write(`gs: guard verification failed: ${violations} violation(s) across the sweep; this is a bug in gs\n`);
    return EXIT_VIOLATIONS;
  }
  return 0;
}
