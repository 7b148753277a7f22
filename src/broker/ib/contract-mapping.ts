// Core instruments <-> @stoqey/ib contracts, and IB execution sides -> core sides.
import { OptionType, SecType } from "@stoqey/ib";
import type { Contract as IbContract } from "@stoqey/ib";
import type { Contract } from "../../core/instrument.ts";
import type { OrderSide } from "../../core/order.ts";

export interface Venue {
  readonly exchange: string;
  readonly currency: string;
}

export function toIbContract(contract: Contract, venue: Venue, conId?: number): IbContract {
  switch (contract.secType) {
    case "STK":
      return { conId, symbol: contract.symbol, secType: SecType.STK, exchange: venue.exchange, currency: venue.currency };
    case "OPT":
      return {
        conId, symbol: contract.symbol, secType: SecType.OPT, exchange: venue.exchange, currency: venue.currency,
        lastTradeDateOrContractMonth: contract.expiryYmd, strike: contract.strike,
        right: contract.right === "C" ? OptionType.Call : OptionType.Put, multiplier: contract.multiplier,
      };
    default: {
      const unreachable: never = contract;
      throw new Error(`unknown contract ${JSON.stringify(unreachable)}`);
    }
  }
}

/** An IB contract as core sees it; null for instruments gs does not trade (futures, forex, ...). */
export function fromIbContract(ib: IbContract): Contract | null {
  const symbol = ib.symbol ?? "";
  if (symbol === "") return null;
  if (ib.secType === SecType.STK) return { secType: "STK", symbol };
  if (ib.secType !== SecType.OPT) return null;
  const expiryYmd = (ib.lastTradeDateOrContractMonth ?? "").slice(0, 8);
  const right = ib.right === OptionType.Call ? "C" : ib.right === OptionType.Put ? "P" : null;
  if (!/^\d{8}$/.test(expiryYmd) || right === null || ib.strike === undefined) return null;
  return { secType: "OPT", symbol, right, strike: ib.strike, expiryYmd, multiplier: Number(ib.multiplier ?? 100) };
}

const SIDE_BY_IB_WORD: ReadonlyMap<string, OrderSide> = new Map<string, OrderSide>([
  ["BOT", "BUY"],
  ["SLD", "SELL"],
  ["BUY", "BUY"],
  ["SELL", "SELL"],
]);

/** Executions say BOT/SLD, orders BUY/SELL; null for anything else (e.g. SSHORT is mapped by TWS to SLD). */
export function sideOfIbWord(word: string | undefined): OrderSide | null {
  return SIDE_BY_IB_WORD.get(word ?? "") ?? null;
}
