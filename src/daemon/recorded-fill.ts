// An execution as the operations trail recorded it: what a correction of an execution this
// process does not remember (an earlier run's) replaces. Read off the trading path: corrections
// are rare, and the book waits for the answer without holding any order back.
import type { RecordedFill } from "../core/order.ts";
import { withDeadline } from "../sink/deadline.ts";
import type { Sink } from "../sink/port.ts";
import type { StoredOperation } from "../sink/records.ts";

/** Rows an order has at most: its fills, their corrections and late commissions. */
const ORDER_ROWS = 1_000;

/**
 * How long a correction waits for the trail's answer, in real time like the sink's own deadlines.
 * A hung database never answers: the correction is then taken as having no record (an execution
 * of its own; the position check settles what it changed), and the position check is not held
 * off for ever.
 */
export const TRAIL_LOOKUP_TIMEOUT_MS = 10_000;

/**
 * The fill a fill or fill_correction row records, null for another row. A correction row's
 * commission_usd is the difference it made: the execution's own is in its payload.
 */
export function recordedFillOf(row: StoredOperation): RecordedFill | null {
  if (row.execId === null || row.quantityShares === null || row.price === null) return null;
  const correctedCommissionUsd = row.payload?.correctedCommissionUsd;
  if (row.type === "fill_correction") return { execId: row.execId, shares: row.quantityShares, price: row.price, commissionUsd: typeof correctedCommissionUsd === "number" ? correctedCommissionUsd : null };
  if (row.type === "fill" || row.type === "partial_fill") return { execId: row.execId, shares: row.quantityShares, price: row.price, commissionUsd: row.commissionUsd };
  return null;
}

/** The fill `execId` of `orderRef` as this daemon's trail has it (with a commission recorded late for it), null when it has none; rejects after deadlineMs. */
export function findRecordedFill(sink: Sink, daemonId: string, orderRef: string, execId: string, deadlineMs: number): Promise<RecordedFill | null> {
  return withDeadline(readRecordedFill(sink, daemonId, orderRef, execId), deadlineMs, `the operations trail's record of execution ${execId}`);
}

async function readRecordedFill(sink: Sink, daemonId: string, orderRef: string, execId: string): Promise<RecordedFill | null> {
  const rows = await sink.queryOperations({ daemonId, orderRef, types: ["fill", "partial_fill", "fill_correction"], limit: ORDER_ROWS });
  const row = rows.find((candidate) => candidate.execId === execId);
  const fill = row === undefined ? null : recordedFillOf(row);
  if (fill === null || fill.commissionUsd !== null) return fill;
  const late = await sink.queryOperations({ daemonId, types: ["commission"], limit: ORDER_ROWS });
  const commissionUsd = late.find((candidate) => candidate.payload?.execId === execId)?.payload?.executionCommissionUsd;
  return typeof commissionUsd === "number" ? { ...fill, commissionUsd } : fill;
}
