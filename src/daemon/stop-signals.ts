// SIGTERM / SIGINT: the first asks for a graceful stop; a second one means "now": the daemon
// exits at once, after pushing whatever the sink still holds to the database or its spool.
export type StopSignal = "SIGTERM" | "SIGINT";

const SIGNAL_NUMBERS: Readonly<Record<StopSignal, number>> = { SIGINT: 2, SIGTERM: 15 };

export interface StopSignalHandlers {
  readonly graceful: (signal: StopSignal) => void;
  /** Must finish quickly; the process exits with 128 + signal number right after. */
  readonly immediate: (signal: StopSignal) => Promise<void>;
}

/** Installs the handlers; returns a function removing them. */
export function onStopSignals(handlers: StopSignalHandlers, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  let received = 0;
  const handle = (signal: StopSignal): void => {
    received += 1;
    if (received === 1) {
      handlers.graceful(signal);
      return;
    }
    void handlers.immediate(signal).finally(() => exit(128 + SIGNAL_NUMBERS[signal]));
  };
  const onTerm = (): void => handle("SIGTERM");
  const onInt = (): void => handle("SIGINT");
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onInt);
  return () => {
    process.off("SIGTERM", onTerm);
    process.off("SIGINT", onInt);
  };
}
