// What each operator command does to the daemon, in one place. The daemon hands in the few
// levers a command may pull; the result text is what the operator sees in the control row.
import type { DaemonEvent, DaemonLifecycleState } from "../core/daemon-fsm.ts";
import type { ControlCommand } from "../sink/records.ts";

export interface CommandTarget {
  readonly state: DaemonLifecycleState;
  /** Operator pause (by which command; null: resumed): kept across broker outages and restarts, applied to the Hedger at once. */
  setOperatorPause(by: "pause" | "flatten" | null): void;
  transition(event: DaemonEvent, payload?: Readonly<Record<string, unknown>>): void;
  requestStop(reason: string): void;
  /** Why a flatten must not start now (e.g. a hard block disputes the hedge shares), or null. */
  flattenRefusal(): string | null;
  /** Cancels own working orders and closes the hedge shares; returns what it is doing. */
  requestFlatten(): string;
  /** Ends a flatten not finished yet (recorded); nothing when none runs. */
  endFlatten(cause: "resumed"): void;
  retryBrokerNow(): void;
  /** Takes the broker's stock position as the hedge and clears a reconciliation block; returns what it did. */
  acceptBrokerPosition(): string;
}

export function executeCommand(command: ControlCommand, target: CommandTarget): string {
  const { state } = target;
  if (state === "STOPPING" || state === "STOPPED") return `ignored: daemon is ${state}`;
  switch (command) {
    case "stop":
      target.requestStop("control command");
      return "stopping";
    case "pause":
      target.setOperatorPause("pause");
      if (state === "PAUSED") return "already paused";
      if (state !== "RUNNING") return `paused (takes effect when the broker is back; state ${state})`;
      target.transition("pause");
      return "paused";
    case "resume":
      target.endFlatten("resumed");
      target.setOperatorPause(null);
      if (state === "RUNNING") return "already running";
      if (state !== "PAUSED") return `resumed (takes effect when the broker is back; state ${state})`;
      target.transition("resume");
      return "resumed";
    case "flatten": {
      if (state !== "RUNNING" && state !== "PAUSED") return `rejected: flatten needs a connected broker, state was ${state}`;
      const refusal = target.flattenRefusal();
      if (refusal !== null) return `rejected: ${refusal}`;
      target.setOperatorPause("flatten");
      if (state === "RUNNING") target.transition("pause", { reason: "flatten" });
      return `${target.requestFlatten()}; paused`;
    }
    case "retry_broker":
      if (state !== "WAITING_BROKER") return `ignored: broker not down (state ${state})`;
      target.retryBrokerNow();
      return "retrying now";
    case "accept_position":
      if (state !== "RUNNING" && state !== "PAUSED") return `rejected: accept-position needs a connected broker, state was ${state}`;
      return target.acceptBrokerPosition();
    default: {
      const unreachable: never = command;
      return `rejected: unknown command ${String(unreachable)}`;
    }
  }
}
