// ib.account against the login's managed accounts: one account or a refusal that names them.
import { describe, expect, test } from "bun:test";
import { resolveTradingAccount } from "../../../src/broker/ib/trading-account.ts";

describe("resolveTradingAccount", () => {
  test("ib.account empty: the only managed account", () => {
    expect(resolveTradingAccount("", ["DU1"])).toEqual({ type: "account", account: "DU1" });
  });

  test("ib.account among the managed accounts: that one", () => {
    expect(resolveTradingAccount("DU2", ["DU1", "DU2"])).toEqual({ type: "account", account: "DU2" });
  });

  test("ib.account set and no list from TWS: taken as given", () => {
    expect(resolveTradingAccount("DU2", [])).toEqual({ type: "account", account: "DU2" });
  });

  test("refusals name the key and the accounts", () => {
    expect(resolveTradingAccount("", ["DU1", "DU2"])).toEqual({
      type: "refused",
      message: "ib.account is empty but the login manages 2 accounts (DU1, DU2); expected ib.account to name the one gs trades and reconciles",
    });
    expect(resolveTradingAccount("DU9", ["DU1", "DU2"])).toEqual({ type: "refused", message: 'ib.account was "DU9", expected one of the accounts this login manages: DU1, DU2' });
    expect(resolveTradingAccount("", [])).toMatchObject({ type: "refused", message: expect.stringContaining("ib.account is empty and TWS reported no managed account") });
  });
});
