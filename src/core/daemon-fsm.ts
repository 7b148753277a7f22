// The daemon's life cycle as a table. The daemon never exits because the broker is down: it
// waits in WAITING_BROKER and retries. State names match the sink's DaemonState.
import { nextState, type TransitionTable } from "./transition-table.ts";

export type DaemonLifecycleState =
  | "IDLE"
  | "CONNECTING"
  | "WAITING_BROKER"
  | "RECONCILING"
  | "RUNNING"
  | "PAUSED"
  | "STOPPING"
  | "STOPPED";

export type DaemonEvent =
  | "start"
  | "connected"
  | "connect_failed"
  | "retry"
  | "reconciled"
  /** Reconciliation could not finish (broker dropped, request timed out). */
  | "reconcile_failed"
  | "pause"
  | "resume"
  | "broker_lost"
  | "stop"
  /** Shutdown work finished (orders cancelled, sink flushed). */
  | "stopped";

export const DAEMON_STATES: readonly DaemonLifecycleState[] = [
  "IDLE",
  "CONNECTING",
  "WAITING_BROKER",
  "RECONCILING",
  "RUNNING",
  "PAUSED",
  "STOPPING",
  "STOPPED",
];

export const DAEMON_EVENTS: readonly DaemonEvent[] = [
  "start",
  "connected",
  "connect_failed",
  "retry",
  "reconciled",
  "reconcile_failed",
  "pause",
  "resume",
  "broker_lost",
  "stop",
  "stopped",
];

/** A stop is legal from every live state, including WAITING_BROKER (SPEC §10 defect 10). */
export const DAEMON_TRANSITIONS: TransitionTable<DaemonLifecycleState, DaemonEvent> = {
  IDLE: { start: "CONNECTING", stop: "STOPPING" },
  CONNECTING: { connected: "RECONCILING", connect_failed: "WAITING_BROKER", stop: "STOPPING" },
  WAITING_BROKER: { retry: "CONNECTING", stop: "STOPPING" },
  RECONCILING: { reconciled: "RUNNING", reconcile_failed: "WAITING_BROKER", broker_lost: "WAITING_BROKER", stop: "STOPPING" },
  RUNNING: { pause: "PAUSED", broker_lost: "WAITING_BROKER", stop: "STOPPING" },
  PAUSED: { resume: "RUNNING", broker_lost: "WAITING_BROKER", stop: "STOPPING" },
  STOPPING: { stopped: "STOPPED" },
  STOPPED: {},
};

export function nextDaemonState(state: DaemonLifecycleState, event: DaemonEvent): DaemonLifecycleState {
  return nextState("daemon", DAEMON_TRANSITIONS, state, event);
}
