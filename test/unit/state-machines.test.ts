import { describe, expect, test } from "bun:test";
import { DAEMON_EVENTS, DAEMON_STATES, DAEMON_TRANSITIONS, nextDaemonState, type DaemonLifecycleState } from "../../src/core/daemon-fsm.ts";
import {
  HEDGE_EXEC_EVENTS,
  HEDGE_EXEC_STATES,
  HEDGE_EXEC_TRANSITIONS,
  isFinalExecState,
  nextHedgeExecState,
  type HedgeExecState,
} from "../../src/core/hedge-exec-fsm.ts";
import { canTransition, IllegalTransitionError, type TransitionTable } from "../../src/core/transition-table.ts";
import type { DaemonState } from "../../src/sink/records.ts";

// Core may not import the sink, so the compiler keeps the two state-name unions equal here.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const SAME_STATE_NAMES: Equal<DaemonState, DaemonLifecycleState> = true;

/** Walks every (state, event) pair: legal ones land on the table's target, illegal ones throw. */
function exerciseAll<S extends string, E extends string>(
  states: readonly S[],
  events: readonly E[],
  table: TransitionTable<S, E>,
  next: (state: S, event: E) => S,
): { legal: number; illegal: number; reached: Set<S> } {
  let legal = 0;
  let illegal = 0;
  const reached = new Set<S>();
  for (const state of states) {
    for (const event of events) {
      const target = table[state][event];
      if (target === undefined) {
        expect(() => next(state, event)).toThrow(IllegalTransitionError);
        expect(canTransition(table, state, event)).toBe(false);
        illegal++;
      } else {
        expect(next(state, event)).toBe(target);
        reached.add(target);
        legal++;
      }
    }
  }
  return { legal, illegal, reached };
}

describe("daemon state machine", () => {
  test("the table covers exactly the sink's DaemonState names", () => {
    expect(SAME_STATE_NAMES).toBe(true);
    expect(Object.keys(DAEMON_TRANSITIONS).sort()).toEqual([...DAEMON_STATES].sort());
  });

  test("every transition is exercised and every state is reachable", () => {
    const { legal, illegal, reached } = exerciseAll(DAEMON_STATES, DAEMON_EVENTS, DAEMON_TRANSITIONS, nextDaemonState);
    expect(legal).toBe(18);
    expect(illegal).toBe(DAEMON_STATES.length * DAEMON_EVENTS.length - 18);
    expect([...reached].sort()).toEqual(DAEMON_STATES.filter((s) => s !== "IDLE").sort());
  });

  test("a day in the life: connect fails, waits, reconnects, reconciles, pauses, loses the broker, stops", () => {
    const events = ["start", "connect_failed", "retry", "connected", "reconciled", "pause", "resume", "broker_lost", "retry", "connected", "reconciled", "stop", "stopped"] as const;
    const path: DaemonLifecycleState[] = ["IDLE"];
    for (const e of events) path.push(nextDaemonState(path[path.length - 1]!, e));
    expect(path).toEqual(["IDLE", "CONNECTING", "WAITING_BROKER", "CONNECTING", "RECONCILING", "RUNNING", "PAUSED", "RUNNING", "WAITING_BROKER", "CONNECTING", "RECONCILING", "RUNNING", "STOPPING", "STOPPED"]);
  });

  test("stop is legal from every live state (also while waiting for the broker), never twice", () => {
    for (const s of DAEMON_STATES) {
      if (s === "STOPPING" || s === "STOPPED") expect(() => nextDaemonState(s, "stop")).toThrow("daemon: event \"stop\" is not allowed in state " + s);
      else expect(nextDaemonState(s, "stop")).toBe("STOPPING");
    }
  });
});

describe("hedge execution state machine", () => {
  test("every transition is exercised and every state is reachable", () => {
    const { legal, reached } = exerciseAll(HEDGE_EXEC_STATES, HEDGE_EXEC_EVENTS, HEDGE_EXEC_TRANSITIONS, nextHedgeExecState);
    expect(legal).toBe(24);
    expect([...reached].sort()).toEqual(HEDGE_EXEC_STATES.filter((s) => s !== "idle").sort());
  });

  test("final states accept nothing", () => {
    for (const s of HEDGE_EXEC_STATES) {
      expect(isFinalExecState(s)).toBe(Object.keys(HEDGE_EXEC_TRANSITIONS[s]).length === 0);
    }
  });

  test.each([
    [["create", "accepted", "fill"], "filled"],
    [["create", "accepted", "partial_fill", "partial_fill", "fill"], "filled"],
    [["create", "reject"], "rejected"],
    [["create", "accepted", "timeout", "cancelled"], "cancelled"],
    [["create", "accepted", "partial_fill", "timeout", "partial_fill", "cancelled"], "cancelled"],
    [["create", "accepted", "timeout", "fill"], "filled"],
    [["create", "fill"], "filled"],
  ] as const)("%p ends %p", (events, final) => {
    let s: HedgeExecState = "idle";
    for (const e of events) s = nextHedgeExecState(s, e);
    expect(s).toBe(final);
  });
});
