// TWS order status words -> gs BrokerOrderStatus. A table, not substring matching.
import type { BrokerOrderStatus } from "../../core/order.ts";

const STATUS_BY_TWS_WORD: ReadonlyMap<string, BrokerOrderStatus> = new Map<string, BrokerOrderStatus>([
  ["ApiPending", "pending_submit"],
  ["PendingSubmit", "pending_submit"],
  ["PreSubmitted", "submitted"],
  ["Submitted", "submitted"],
  ["PendingCancel", "submitted"], // still working until TWS confirms the cancel
  ["ApiCancelled", "cancelled"],
  ["Cancelled", "cancelled"],
  ["Filled", "filled"],
  ["Inactive", "rejected"], // TWS parks rejected/unacceptable orders as Inactive
]);

/**
 * Maps a TWS status and fill counts; null for words gs does not act on ("Unknown").
 * A working order with some shares filled is partially filled.
 */
export function mapTwsOrderStatus(word: string, filledShares: number, remainingShares: number): BrokerOrderStatus | null {
  const status = STATUS_BY_TWS_WORD.get(word);
  if (status === undefined) return null;
  if (status === "submitted" && filledShares > 0 && remainingShares > 0) return "partially_filled";
  return status;
}

const TERMINAL: ReadonlySet<BrokerOrderStatus> = new Set<BrokerOrderStatus>(["filled", "cancelled", "rejected"]);

export function isTerminalStatus(status: BrokerOrderStatus): boolean {
  return TERMINAL.has(status);
}
