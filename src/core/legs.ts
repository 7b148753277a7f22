// Which held options are the strategy's legs. Selection rule (SPEC §10 defect 8 fixed):
// an option becomes a leg when it first appears in the positions (or at start) AND is on
// the symbol, within minDte..maxDte calendar days and |K - S| / S < atmBandFraction. Once
// selected, a leg stays latched while it is held, even if it later drifts out of the band
// or below minDte: its delta is real risk and keeps being hedged; the drift is reported
// (`outsideSelection`) so the trader can roll. Options that never qualified are ignored
// and never traded.
import { parseDay } from "./civil-date.ts";
import type { OptionContract, Position } from "./instrument.ts";
import { contractKey } from "./instrument.ts";
import { newYorkDayNumber } from "./new-york-time.ts";
import { expiryCloseUtcMs } from "./nyse-calendar.ts";

export interface LegSelectionParams {
  readonly symbol: string;
  readonly minDte: number;
  readonly maxDte: number;
  readonly atmBandFraction: number;
}

export interface SelectedLeg {
  readonly contractKey: string;
  readonly contract: OptionContract;
  /** Signed contracts. */
  readonly quantity: number;
  readonly expiryDayNumber: number;
  /** When the option stops trading (session close on its expiry date), UTC ms. */
  readonly expiryMs: number;
}

export type LegRejection = "other_symbol" | "bad_expiry" | "outside_dte" | "outside_band" | "flat";

/** Calendar days from today (New York) to the expiry date. */
export function daysToExpiry(expiryDayNumber: number, nowMs: number): number {
  return expiryDayNumber - newYorkDayNumber(nowMs);
}

/** Why an option would not be selected now, or null when it qualifies. */
export function legRejection(
  contract: OptionContract,
  quantity: number,
  spot: number,
  nowMs: number,
  params: LegSelectionParams,
): LegRejection | null {
  if (contract.symbol !== params.symbol) return "other_symbol";
  if (quantity === 0) return "flat";
  const expiry = parseDay(contract.expiryYmd);
  if (expiry === null) return "bad_expiry";
  const dte = daysToExpiry(expiry, nowMs);
  if (dte < params.minDte || dte > params.maxDte) return "outside_dte";
  if (!(Math.abs(contract.strike - spot) / spot < params.atmBandFraction)) return "outside_band";
  return null;
}

/**
 * New leg set from the current positions: previously selected legs still held keep their
 * place (with the new quantity); options not selected before join only if they qualify now.
 */
export function selectLegs(
  previous: readonly SelectedLeg[],
  positions: readonly Position[],
  spot: number,
  nowMs: number,
  params: LegSelectionParams,
): SelectedLeg[] {
  const latched = new Set(previous.map((leg) => leg.contractKey));
  const legs: SelectedLeg[] = [];
  for (const position of positions) {
    const contract = position.contract;
    if (contract.secType !== "OPT" || contract.symbol !== params.symbol || position.quantity === 0) continue;
    const key = contractKey(contract);
    if (!latched.has(key) && legRejection(contract, position.quantity, spot, nowMs, params) !== null) continue;
    const expiryDayNumber = parseDay(contract.expiryYmd);
    if (expiryDayNumber === null) continue;
    legs.push({
      contractKey: key,
      contract,
      quantity: position.quantity,
      expiryDayNumber,
      expiryMs: expiryCloseUtcMs(expiryDayNumber),
    });
  }
  return legs;
}
