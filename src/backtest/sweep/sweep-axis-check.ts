// A sweep's keys and values checked once, before any run: an unknown key or a value no
// combination could take fails every run the same way, so the user hears it once, up front,
// instead of once per combination (a 432-run grid printed 1,300 lines for one typo). Values
// that are only wrong together with others (epsilon_band vs threshold) are still the runs'
// own business: those combinations are skipped and listed.
import { collectFlagValues } from "../../config/assignments.ts";
import { findLeaf } from "../../config/schema-leaves.ts";
import { UserError } from "../../config/user-error.ts";
import { applyBacktestAssignments, BACKTEST_KEY_PREFIX, backtestParamsView, defaultBacktestParams } from "../backtest-params.ts";
import { minDteProblem } from "../expiry-settlement.ts";
import type { SweepAxis } from "./sweep-grid.ts";

const MIN_DTE_KEY = "strategy.min_dte";

/** Throws one UserError naming every unknown key (once) and every value wrong on its own. */
export function checkSweepAxes(axes: readonly SweepAxis[]): void {
  const problems: string[] = [];
  for (const axis of axes) {
    const known = isKnownKey(axis.key);
    for (const value of axis.values) {
      const message = problemOf(`${axis.key}=${value}`);
      if (message === null) continue;
      problems.push(known ? `--sweep ${axis.key}=${value}: ${message}` : `--sweep ${axis.key}: ${message}`);
      if (!known) break;
    }
  }
  if (problems.length === 0) return;
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  throw new UserError(`invalid sweep (${count}, nothing was run):\n${problems.map((line) => `  - ${line}`).join("\n")}`);
}

const BACKTEST_KEYS = Object.keys(backtestParamsView(defaultBacktestParams(0)));

function isKnownKey(key: string): boolean {
  return key.startsWith(BACKTEST_KEY_PREFIX) ? BACKTEST_KEYS.includes(key) : findLeaf(key) !== undefined;
}

/** What the run would say about this one assignment (the same checks as --set), or null. */
function problemOf(assignment: string): string | null {
  if (assignment.startsWith(BACKTEST_KEY_PREFIX)) {
    try {
      applyBacktestAssignments(defaultBacktestParams(0), [assignment]);
      return null;
    } catch (error) {
      if (error instanceof UserError) return error.message;
      throw error;
    }
  }
  const collected = collectFlagValues([assignment]);
  const problem = collected.problems[0];
  if (problem !== undefined) return `${problem.keyPath ?? ""} ${problem.message}`.trim();
  const set = collected.assignments[0];
  return set?.leaf.keyPath === MIN_DTE_KEY ? minDteProblem(set.value as number) : null;
}
