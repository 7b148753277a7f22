// Market data health from TWS farm messages and refused subscriptions. A farm is
// tracked by kind and name ("market_data:usfarm"), so an OK from one farm never
// hides another that is broken.
import type { FarmKind } from "./message-codes.ts";

export class FarmHealth {
  private readonly broken = new Map<string, string>();

  /** Applies a farm message; returns true when the set of broken farms changed. */
  apply(farm: FarmKind, ok: boolean, code: number, message: string): boolean {
    const name = message.includes(":") ? message.slice(message.lastIndexOf(":") + 1).trim() : "";
    const key = `${farm}:${name}`;
    if (ok) {
      // An OK without a farm name clears the whole kind.
      const keys = name === "" ? [...this.broken.keys()].filter((k) => k.startsWith(`${farm}:`)) : [key];
      return keys.map((k) => this.broken.delete(k)).some(Boolean);
    }
    const changed = !this.broken.has(key);
    this.broken.set(key, `${code} ${message}`);
    return changed;
  }

  brokenFarms(): string[] {
    return [...this.broken.values()];
  }

  reset(): void {
    this.broken.clear();
  }
}
