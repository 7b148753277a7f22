// Life of one hedge order, from creation to a final state. "idle" is the aggregate state
// when no order is in flight; an order itself starts in "sending".
import { nextState, type TransitionTable } from "./transition-table.ts";

export type HedgeExecState =
  | "idle"
  | "sending"
  | "working"
  | "partial"
  | "cancelling"
  | "filled"
  | "rejected"
  | "cancelled";

export type HedgeExecEvent =
  /** Core created the order (it counts as in flight from here). */
  | "create"
  /** The broker accepted it (placeOrder returned, or status submitted). */
  | "accepted"
  | "partial_fill"
  | "fill"
  | "reject"
  /** Not final within order_timeout: the daemon asks the broker to cancel. */
  | "timeout"
  | "cancelled";

export const HEDGE_EXEC_STATES: readonly HedgeExecState[] = [
  "idle",
  "sending",
  "working",
  "partial",
  "cancelling",
  "filled",
  "rejected",
  "cancelled",
];

export const HEDGE_EXEC_EVENTS: readonly HedgeExecEvent[] = [
  "create",
  "accepted",
  "partial_fill",
  "fill",
  "reject",
  "timeout",
  "cancelled",
];

/**
 * Fills can overtake acknowledgements and cancels (the broker reports what happened, in
 * whatever order), so fills are legal from every live state; "accepted" repeats harmlessly.
 */
export const HEDGE_EXEC_TRANSITIONS: TransitionTable<HedgeExecState, HedgeExecEvent> = {
  idle: { create: "sending" },
  sending: {
    accepted: "working",
    partial_fill: "partial",
    fill: "filled",
    reject: "rejected",
    timeout: "cancelling",
    cancelled: "cancelled",
  },
  working: {
    accepted: "working",
    partial_fill: "partial",
    fill: "filled",
    reject: "rejected",
    timeout: "cancelling",
    cancelled: "cancelled",
  },
  partial: {
    accepted: "partial",
    partial_fill: "partial",
    fill: "filled",
    reject: "rejected",
    timeout: "cancelling",
    cancelled: "cancelled",
  },
  cancelling: {
    accepted: "cancelling",
    partial_fill: "cancelling",
    fill: "filled",
    reject: "rejected",
    cancelled: "cancelled",
  },
  filled: {},
  rejected: {},
  cancelled: {},
};

export function isFinalExecState(state: HedgeExecState): boolean {
  return state === "filled" || state === "rejected" || state === "cancelled";
}

export function nextHedgeExecState(state: HedgeExecState, event: HedgeExecEvent): HedgeExecState {
  return nextState("hedge execution", HEDGE_EXEC_TRANSITIONS, state, event);
}
