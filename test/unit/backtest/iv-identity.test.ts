// A run's identity covers the implied vols themselves: `--iv PATH` used to hash just the path
// (and `--iv cache` a fixed text), so a run on an edited file had the same config hash and a
// decision log that could not tell the two apart.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBacktest } from "../../../src/backtest/run-backtest.ts";

const dir = mkdtempSync(join(tmpdir(), "gs-iv-identity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IV_CSV = (julyFifthVol: number): string => `DATE,CLOSE\n2024-06-28,12.4\n2024-07-01,12.2\n2024-07-02,12.0\n2024-07-03,12.1\n2024-07-05,${julyFifthVol}\n`;

async function runOn(ivPath: string, logName: string) {
  const logPath = join(dir, logName);
  const { summary } = await runBacktest(
    { configPath: null, assignments: [], sweepAssignments: [], data: null, dataTz: null, dataBar: null, iv: ivPath, fromDay: "2024-07-01", toDay: "2024-07-08" },
    { logPath, onProgress: null },
  );
  const header = JSON.parse(readFileSync(logPath, "utf8").split("\n")[0] as string) as { configHash: string; ivFingerprint: string; iv: string };
  return { summary, header };
}

describe("the implied vol is part of the run's identity", () => {
  test("the same path with changed vols is a different run; the same vols from another path are the same run", async () => {
    const path = join(dir, "iv.csv");
    writeFileSync(path, IV_CSV(12.3));
    const first = await runOn(path, "first.jsonl");
    writeFileSync(path, IV_CSV(25));
    const edited = await runOn(path, "edited.jsonl");
    const copy = join(dir, "copy.csv");
    writeFileSync(copy, IV_CSV(12.3));
    const copied = await runOn(copy, "copied.jsonl");

    expect(edited.summary.pnl.totalUsd).not.toBe(first.summary.pnl.totalUsd);
    expect(edited.summary.configHash).not.toBe(first.summary.configHash);
    expect(edited.summary.ivFingerprint).not.toBe(first.summary.ivFingerprint);
    expect(edited.summary.runId.split("-")[2]).not.toBe(first.summary.runId.split("-")[2]);
    expect(copied.summary.configHash).toBe(first.summary.configHash);
    expect(copied.summary.ivFingerprint).toBe(first.summary.ivFingerprint);
  });

  test("the decision log's header carries the vols' source and fingerprint", async () => {
    const path = join(dir, "header.csv");
    writeFileSync(path, IV_CSV(12.3));
    const { summary, header } = await runOn(path, "header.jsonl");
    expect(header).toMatchObject({ configHash: summary.configHash, ivFingerprint: summary.ivFingerprint, iv: path });
    expect(summary.ivFingerprint).toMatch(/^[0-9a-f]{16}$/);
  });
});
