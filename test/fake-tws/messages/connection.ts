// Handshake, session start and error/info messages.
import type { WireField } from "../framing.ts";

export const SERVER_VERSION = 193;

/** First frame the server sends: its version and connection time. */
export function serverVersionReply(version: number, connectionTime: string): WireField[] {
  return [version, connectionTime];
}

export function managedAccounts(accounts: readonly string[]): WireField[] {
  return [15, 1, accounts.join(",")];
}

export function nextValidId(orderId: number): WireField[] {
  return [9, 1, orderId];
}

/** ERR_MSG; id -1 makes @stoqey/ib deliver it on `info` instead of `error`. */
export function errorMessage(id: number, code: number, message: string): WireField[] {
  return [4, 2, id, code, message, ""];
}

export function currentTime(epochSeconds: number): WireField[] {
  return [49, 1, epochSeconds];
}
