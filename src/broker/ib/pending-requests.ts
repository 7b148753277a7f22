// Requests that wait for a closing message from TWS (positionEnd, openOrderEnd,
// execDetailsEnd, ...). Each has a deadline and fails with a named BrokerError.
import { BrokerError } from "../port.ts";

interface Pending {
  readonly name: string;
  readonly reject: (error: BrokerError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class PendingRequests {
  private readonly pending = new Set<Pending>();

  constructor(private readonly timeoutMs: number) {}

  /** Runs `send`, then waits for `settle` to be called by the message handlers. */
  start<T>(name: string, send: (settle: (value: T) => void, fail: (error: BrokerError) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        name,
        reject: (error) => {
          this.finish(entry);
          reject(error);
        },
        timer: setTimeout(() => {
          entry.reject(new BrokerError("timeout", `${name} got no answer from TWS within ${this.timeoutMs / 1000}s (ib.request_timeout_s)`));
        }, this.timeoutMs),
      };
      this.pending.add(entry);
      send(
        (value) => {
          this.finish(entry);
          resolve(value);
        },
        (error) => entry.reject(error),
      );
    });
  }

  /** The connection went away: nothing in flight will be answered. */
  failAll(error: BrokerError): void {
    for (const entry of [...this.pending]) entry.reject(error);
  }

  private finish(entry: Pending): void {
    clearTimeout(entry.timer);
    this.pending.delete(entry);
  }
}
