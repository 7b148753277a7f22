// What the guard verification reports: every violation counted (the listing alone stopped at
// 1000, and the text, JSON and the sweep counted the listing), and an invariant the inputs
// cannot break said to hold by construction instead of "N checked".
import { describe, expect, test } from "bun:test";
import { GuardAudit, MAX_LISTED_VIOLATIONS } from "../../../src/backtest/guard-audit.ts";
import { renderHtmlReport } from "../../../src/backtest/report-html.ts";
import { renderTextReport } from "../../../src/backtest/report-text.ts";
import { runBacktest } from "../../../src/backtest/run-backtest.ts";
import { defaultConfig } from "../../../src/config/defaults.ts";
import { hedgerParamsFromConfig } from "../../../src/config/hedger-params.ts";

const PARAMS = hedgerParamsFromConfig(defaultConfig());
const OPEN = Date.parse("2024-03-18T13:30:00Z");
const TOTAL = MAX_LISTED_VIOLATIONS + 500;

function auditWithViolations(): GuardAudit {
  const audit = new GuardAudit(PARAMS.guards, PARAMS.hedge);
  for (let k = 0; k < TOTAL; k++) audit.onPosition(OPEN + k * 1000, PARAMS.guards.maxPositionShares + 1);
  return audit;
}

describe("guard report", async () => {
  const outcome = await runBacktest(
    { configPath: null, assignments: [], sweepAssignments: [], data: null, dataTz: null, dataBar: null, iv: null, fromDay: "2024-07-01", toDay: "2024-07-03" },
    { logPath: null, onProgress: null },
  );

  test("the total of violations is kept past the listing's cap", () => {
    const report = auditWithViolations().report();
    expect(report.violations).toHaveLength(MAX_LISTED_VIOLATIONS);
    expect(report.violationCount).toBe(TOTAL);
    expect(report.violationsByInvariant.max_position).toBe(TOTAL);
  });

  test("the text and HTML reports show the total and say the listing is cut", () => {
    const summary = { ...outcome.summary, guards: auditWithViolations().report() };
    const text = renderTextReport(summary);
    expect(text).toContain(`${TOTAL} VIOLATION(S) (the first ${MAX_LISTED_VIOLATIONS} listed)`);
    expect(text).toMatch(new RegExp(`max_position +\\d+ +${TOTAL}\\n`));
    expect(renderHtmlReport(summary, outcome.result)).toContain(`${TOTAL} VIOLATION(S) (the first ${MAX_LISTED_VIOLATIONS} listed)`);
  });

  test("trading hours hold by construction and are reported so, not as a count of checks", () => {
    const { guards } = outcome.summary;
    expect(guards.checkedOrders).toBeGreaterThan(0);
    expect(Object.keys(guards.checks)).not.toContain("trading_hours");
    expect(guards.heldByConstruction.trading_hours).toBe("holds by construction: bars outside regular hours are dropped");
    expect(renderTextReport(outcome.summary)).toMatch(/trading_hours +holds by construction: bars outside regular hours are dropped +0\n/);
  });
});
