// Per-decision log of a backtest (`--log run.jsonl` or `--log run.csv`): one line per
// evaluation with time, spot, delta, the decision, the order and its fill, and which guard
// blocked. The first line carries the config hash and the bars' and vols' fingerprints, so the run can be
// reproduced exactly from the log alone.
import type { FileSink } from "bun";
import type { HedgeDecision } from "../core/hedge-decision.ts";

export interface DecisionLogHeader {
  readonly configHash: string;
  readonly dataFingerprint: string;
  readonly data: string;
  /** The implied vol: its source and its values' fingerprint. */
  readonly iv: string;
  readonly ivFingerprint: string;
  readonly fromDay: string;
  readonly toDay: string;
  readonly gsVersion: string;
}

export interface DecisionLogFill {
  readonly orderRef: string;
  readonly side: "BUY" | "SELL";
  readonly shares: number;
  readonly price: number;
  readonly commissionUsd: number;
  readonly hedgeSharesAfter: number;
}

const CSV_COLUMNS = [
  "ts",
  "ts_ms",
  "spot",
  "bid",
  "ask",
  "delta_shares",
  "decision",
  "code",
  "wanted_shares",
  "forced",
  "order_ref",
  "side",
  "shares",
  "fill_price",
  "commission_usd",
  "hedge_shares_after",
];

export class DecisionLog {
  private constructor(
    private readonly writer: FileSink,
    private readonly format: "jsonl" | "csv",
  ) {}

  static open(path: string, header: DecisionLogHeader): DecisionLog {
    const format = path.toLowerCase().endsWith(".csv") ? "csv" : "jsonl";
    const writer = Bun.file(path).writer({ highWaterMark: 1 << 20 });
    if (format === "csv") {
      writer.write(`# gs backtest decision log; configHash=${header.configHash} dataFingerprint=${header.dataFingerprint} data=${JSON.stringify(header.data)} ivFingerprint=${header.ivFingerprint} iv=${JSON.stringify(header.iv)} from=${header.fromDay} to=${header.toDay} version=${header.gsVersion}\n`);
      writer.write(`${CSV_COLUMNS.join(",")}\n`);
    } else {
      writer.write(`${JSON.stringify({ type: "header", ...header })}\n`);
    }
    return new DecisionLog(writer, format);
  }

  write(nowMs: number, spot: number, bid: number, ask: number, decision: HedgeDecision, fill: DecisionLogFill | null): void {
    const code = decision.type === "deny" ? decision.code : decision.type === "hold" ? decision.reason : decision.forced ? "forced" : null;
    const wanted = decision.type === "deny" ? decision.wantedShares : decision.type === "hedge" ? (decision.side === "BUY" ? decision.quantityShares : -decision.quantityShares) : null;
    const forced = decision.type === "hold" ? null : decision.forced;
    if (this.format === "csv") {
      const cells = [
        new Date(nowMs).toISOString(),
        nowMs,
        spot,
        bid,
        ask,
        decision.deltaShares === null ? "" : round(decision.deltaShares),
        decision.type,
        code ?? "",
        wanted ?? "",
        forced ?? "",
        fill?.orderRef ?? "",
        fill?.side ?? "",
        fill?.shares ?? "",
        fill?.price ?? "",
        fill?.commissionUsd ?? "",
        fill?.hedgeSharesAfter ?? "",
      ];
      this.writer.write(`${cells.join(",")}\n`);
      return;
    }
    const context = decision.type === "deny" ? decision.context : undefined;
    this.writer.write(
      `${JSON.stringify({
        ts: new Date(nowMs).toISOString(),
        tsMs: nowMs,
        spot,
        bid,
        ask,
        deltaShares: decision.deltaShares === null ? null : round(decision.deltaShares),
        decision: decision.type,
        code,
        wantedShares: wanted,
        forced,
        context,
        order: fill,
      })}\n`,
    );
  }

  async close(): Promise<void> {
    await this.writer.end();
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
