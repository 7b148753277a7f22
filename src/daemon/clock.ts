// Time for the daemon: "now" plus one-shot timers. Production uses the system clock; tests
// inject a fake one and advance it explicitly, so no test ever waits on wall time.
export interface Clock {
  nowMs(): number;
  /** Runs `run` once after `delayMs`; the returned function cancels it. */
  setTimer(delayMs: number, run: () => void): () => void;
}

export const SYSTEM_CLOCK: Clock = {
  nowMs: () => Date.now(),
  setTimer: (delayMs, run) => {
    const handle = setTimeout(run, delayMs);
    return () => clearTimeout(handle);
  },
};

/** Calls `run` every `intervalMs` until the returned function is called. */
export function every(clock: Clock, intervalMs: number, run: () => void): () => void {
  let cancelNext: () => void = () => {};
  let stopped = false;
  const arm = (): void => {
    cancelNext = clock.setTimer(intervalMs, () => {
      if (stopped) return;
      arm();
      run();
    });
  };
  arm();
  return () => {
    stopped = true;
    cancelNext();
  };
}

/** Rejects with a named timeout error unless `promise` settles within `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, clock: Clock, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.setTimer(timeoutMs, () => reject(new Error(`${what} timed out after ${timeoutMs} ms`)));
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Waits `delayMs` unless `stop` settles first; resolves true when it did. The timer is cancelled
 * either way: an armed one would keep a stopping process alive until it fires.
 */
export async function sleepUnlessStopped(clock: Clock, delayMs: number, stop: Promise<void>): Promise<boolean> {
  let cancelTimer = (): void => {};
  const stopped = await Promise.race([stop.then(() => true), new Promise<boolean>((resolve) => (cancelTimer = clock.setTimer(delayMs, () => resolve(false))))]);
  cancelTimer();
  return stopped;
}
