// Which account gs trades and reconciles, decided once per session from `ib.account` and the
// accounts TWS says the login manages. gs never guesses: with several accounts and no
// `ib.account`, or an `ib.account` the login does not manage, the session is refused at
// connect, before any position of another account is read or any order is counted.

export type TradingAccountResolution =
  | { readonly type: "account"; readonly account: string }
  | { readonly type: "refused"; readonly message: string };

/** `configured` is `ib.account` ("" = unset); `managed` is TWS's managedAccounts list. */
export function resolveTradingAccount(configured: string, managed: readonly string[]): TradingAccountResolution {
  const list = managed.join(", ");
  if (configured !== "") {
    // A login that reports no list cannot be checked; the configured account is taken as given.
    if (managed.length === 0 || managed.includes(configured)) return { type: "account", account: configured };
    return { type: "refused", message: `ib.account was "${configured}", expected one of the accounts this login manages: ${list}` };
  }
  const [only] = managed;
  if (managed.length === 1 && only !== undefined) return { type: "account", account: only };
  if (managed.length === 0) return { type: "refused", message: "ib.account is empty and TWS reported no managed account; expected ib.account to name the account to trade" };
  return {
    type: "refused",
    message: `ib.account is empty but the login manages ${managed.length} accounts (${list}); expected ib.account to name the one gs trades and reconciles`,
  };
}
