// Positions of the accounts the login manages.
import { contractWireFields } from "../contract.ts";
import type { FakeContract } from "../contract.ts";
import type { WireField } from "../framing.ts";

export function position(account: string, contract: FakeContract, quantity: number, avgCost: number): WireField[] {
  return [61, 3, account, ...contractWireFields(contract), quantity, avgCost];
}

export function positionEnd(): WireField[] {
  return [62, 1];
}
