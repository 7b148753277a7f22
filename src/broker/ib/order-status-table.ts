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
  ["Inactive", "rejected"], // TWS parks rejected/unacceptable orders as Inactive (unless held: below)
]);

/**
 * whyHeld reasons under which an Inactive order is still live at IB: a short sale waits there
 * while shares are located and may fill at any moment (ib_insync #363, nautilus_trader #3723).
 */
const LIVE_HOLDS_WHILE_INACTIVE: ReadonlySet<string> = new Set(["locate"]);

/** True for an Inactive order TWS still works (held to locate shares to short): not a reject. */
export function isInactiveButHeld(word: string, whyHeld: string): boolean {
  return word === "Inactive" && whyHeld.split(",").some((reason) => LIVE_HOLDS_WHILE_INACTIVE.has(reason.trim()));
}

/**
 * Maps a TWS status, its whyHeld and fill counts; null for words gs does not act on ("Unknown").
 * A working order with some shares filled is partially filled.
 */
export function mapTwsOrderStatus(word: string, whyHeld: string, filledShares: number, remainingShares: number): BrokerOrderStatus | null {
  const status = isInactiveButHeld(word, whyHeld) ? "submitted" : STATUS_BY_TWS_WORD.get(word);
  if (status === undefined) return null;
  if (status === "submitted" && filledShares > 0 && remainingShares > 0) return "partially_filled";
  return status;
}

const TERMINAL: ReadonlySet<BrokerOrderStatus> = new Set<BrokerOrderStatus>(["filled", "cancelled", "rejected"]);

export function isTerminalStatus(status: BrokerOrderStatus): boolean {
  return TERMINAL.has(status);
}
