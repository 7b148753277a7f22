// Instruments and positions as core sees them. Broker adapters translate their own
// contract shapes into these at the edge; nothing in core knows a broker's types.

export type OptionRight = "C" | "P";

export interface StockContract {
  readonly secType: "STK";
  readonly symbol: string;
}

export interface OptionContract {
  readonly secType: "OPT";
  readonly symbol: string;
  readonly right: OptionRight;
  readonly strike: number;
  /** Expiry as the exchange lists it, `YYYYMMDD`. */
  readonly expiryYmd: string;
  /** Shares per contract (100 for US equity options). */
  readonly multiplier: number;
}

export type Contract = StockContract | OptionContract;

export interface Position {
  readonly contract: Contract;
  /** Signed: long > 0, short < 0. Shares for stock, contracts for options. */
  readonly quantity: number;
  /** Average cost per share (stock) or per contract incl. multiplier (options), as IB reports it. */
  readonly avgCost: number;
  readonly account: string;
}

/** Stable text key for a contract, used as a map key and in the sink (`SPY|OPT|20240621|550|C`). */
export function contractKey(contract: Contract): string {
  switch (contract.secType) {
    case "STK":
      return `${contract.symbol}|STK`;
    case "OPT":
      return `${contract.symbol}|OPT|${contract.expiryYmd}|${contract.strike}|${contract.right}`;
    default: {
      const unreachable: never = contract;
      throw new Error(`unknown contract ${JSON.stringify(unreachable)}`);
    }
  }
}
