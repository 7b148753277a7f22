// A clock tests move by hand: timers fire in time order when `advance` passes them, and the
// promise chains they start get to run in between, so async daemon code settles without
// any real waiting.
export class FakeClock {
  private now: number;
  private timers: { atMs: number; seq: number; run: () => void }[] = [];
  private seq = 0;

  constructor(startMs: number) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimer(delayMs: number, run: () => void): () => void {
    const timer = { atMs: this.now + Math.max(0, delayMs), seq: this.seq++, run };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((candidate) => candidate !== timer);
    };
  }

  /** Timers armed and not yet fired or cancelled (a real process would stay alive for them). */
  get armedTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling promises after each. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.now + ms;
    await settle();
    for (;;) {
      const next = this.timers.filter((timer) => timer.atMs <= targetMs).sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.now = Math.max(this.now, next.atMs);
      next.run();
      await settle();
    }
    this.now = targetMs;
    await settle();
  }
}

/** Lets queued promise continuations (and immediate I/O callbacks) run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round++) await new Promise<void>((resolve) => setImmediate(resolve));
}
