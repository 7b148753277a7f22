// State machines as tables (one place lists every legal move). An event a state does not
// list is a bug in the caller, so it throws instead of being ignored.

export type TransitionTable<S extends string, E extends string> = Readonly<Record<S, Readonly<Partial<Record<E, S>>>>>;

export class IllegalTransitionError extends Error {
  constructor(
    readonly machine: string,
    readonly state: string,
    readonly event: string,
  ) {
    super(`${machine}: event "${event}" is not allowed in state ${state}`);
    this.name = "IllegalTransitionError";
  }
}

export function nextState<S extends string, E extends string>(
  machine: string,
  table: TransitionTable<S, E>,
  state: S,
  event: E,
): S {
  const next = table[state][event];
  if (next === undefined) throw new IllegalTransitionError(machine, state, event);
  return next;
}

export function canTransition<S extends string, E extends string>(table: TransitionTable<S, E>, state: S, event: E): boolean {
  return table[state][event] !== undefined;
}
