// One TWS API session at a time: the handshake with a deadline, client id 326 -> next
// id within a bounded range, and the order id counter.
//
// Every connection attempt gets a fresh IBApi; the previous one is detached (all its
// listeners removed) and dropped. @stoqey/ib queues requests made while disconnected
// and sends them on its next connection, and its old socket can still fire "close"
// after a reconnect; a discarded instance can do neither to the new session.
import { EventName, IBApi } from "@stoqey/ib";
import { BrokerError } from "../port.ts";
import type { BrokerConnectionInfo } from "../port.ts";
import type { IbBrokerOptions } from "./ib-options.ts";
import { resolveTradingAccount } from "./trading-account.ts";

interface Attempt {
  readonly clientId: number;
  readonly settle: (outcome: "ready" | "client_id_in_use") => void;
  readonly fail: (error: BrokerError) => void;
  clientIdInUse: boolean;
  socketError: string | null;
}

export interface SessionCallbacks {
  /** A new client instance exists: register the inbound message listeners on it. */
  readonly onClient: (api: IBApi) => void;
  /** The session accepts requests (nextValidId arrived). */
  readonly onReady: () => void;
  /** A session that was ready has ended (socket closed, TWS gone, disconnect()). */
  readonly onClosed: (message: string) => void;
}

export class SessionLink {
  private attempt: Attempt | null = null;
  private connecting: Promise<BrokerConnectionInfo> | null = null;
  private ready = false;
  private closingOnRequest = false;
  private serverVersion: number | null = null;
  private accounts: string[] = [];
  private account: string | null = null;
  private clientIdInUse: number;
  private nextOrderId = 0;
  /** IB contract ids learnt from positions, keyed by contractKey(); used for exact market data requests. */
  readonly conIds = new Map<string, number>();

  private api: IBApi | null = null;

  constructor(
    private readonly options: IbBrokerOptions,
    private readonly callbacks: SessionCallbacks,
  ) {
    this.clientIdInUse = options.clientId;
  }

  isReady(): boolean {
    return this.ready && this.api !== null && this.api.isConnected;
  }

  /** The client of the live session; requests go nowhere else. */
  client(): IBApi {
    if (!this.isReady() || this.api === null) throw new BrokerError("not_connected", "not connected to TWS");
    return this.api;
  }

  private newClient(clientId: number): IBApi {
    this.detach();
    const { host, port, maxRequestsPerSecond } = this.options;
    const api = new IBApi({ host, port, clientId, maxReqPerSec: maxRequestsPerSecond });
    api.on(EventName.server, (version: number) => void (this.serverVersion = version));
    api.on(EventName.managedAccounts, (list: string) => void (this.accounts = list.split(",").map((a) => a.trim()).filter((a) => a !== "")));
    api.on(EventName.nextValidId, (orderId: number) => this.onNextValidId(orderId));
    api.on(EventName.disconnected, () => this.onDisconnected());
    api.on(EventName.info, (message: string, code: number) => {
      if (code === 326 && this.attempt) {
        this.attempt.clientIdInUse = true;
        api.disconnect(); // TWS closes the socket itself; do not depend on it
      }
      else if (code === 326) this.options.log("warn", `TWS says client id in use (326) outside a connect attempt: ${message}`);
    });
    api.on(EventName.error, (error: Error, code: number) => {
      if (code === 502 && this.attempt) this.attempt.socketError = error.message;
    });
    this.callbacks.onClient(api);
    this.api = api;
    return api;
  }

  /** Drops the current client: no listener of ours stays on it, its socket is closed. */
  private detach(): void {
    const api = this.api;
    this.api = null;
    if (!api) return;
    api.removeAllListeners();
    api.on(EventName.error, () => undefined); // a late socket error on a dropped client is expected noise
    if (api.isConnected) api.disconnect();
  }

  info(): BrokerConnectionInfo {
    return { clientId: this.clientIdInUse, serverVersion: this.serverVersion, accounts: this.accounts };
  }

  /** A fresh order id; TWS requires them strictly increasing per client id. */
  takeOrderId(): number {
    return this.nextOrderId++;
  }

  /**
   * An order id TWS reported (openOrder, orderStatus) for any API client: once a client has seen
   * other clients' orders (reqAllOpenOrders), IB wants its new order ids above all of them.
   */
  noteOrderId(orderId: number): void {
    this.nextOrderId = Math.max(this.nextOrderId, orderId + 1);
  }

  /** The account this session trades and reconciles, resolved when the session became ready. */
  tradingAccount(): string {
    if (this.account === null) throw new BrokerError("not_connected", "no trading account: not connected to TWS");
    return this.account;
  }

  /** The trading account of the current (or last) session; null before the first one. */
  tradingAccountOrNull(): string | null {
    return this.account;
  }

  connect(): Promise<BrokerConnectionInfo> {
    if (this.isReady()) return Promise.resolve(this.info());
    this.connecting ??= this.connectTryingClientIds().finally(() => (this.connecting = null));
    return this.connecting;
  }

  async disconnect(): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.attempt?.fail(new BrokerError("not_connected", "connect attempt abandoned: disconnect() was called"));
    if (this.ready) {
      this.closingOnRequest = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const closed = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.connectTimeoutMs);
        api.once(EventName.disconnected, () => resolve());
      });
      api.disconnect();
      await closed;
      clearTimeout(timer);
      this.closingOnRequest = false;
    }
    if (this.ready) this.onDisconnected(); // TWS never confirmed: end the session anyway
    this.detach();
  }

  private async connectTryingClientIds(): Promise<BrokerConnectionInfo> {
    const { clientId: first, clientIdMaxTries: tries, host, port } = this.options;
    for (let clientId = first; clientId < first + tries; clientId++) {
      const outcome = await this.attemptOnce(clientId);
      if (outcome === "ready") {
        this.clientIdInUse = clientId;
        if (clientId !== first) this.options.log("warn", `client id ${first} is in use at ${host}:${port}; connected as client id ${clientId}`);
        this.callbacks.onReady();
        return this.info();
      }
      this.options.log("warn", `client id ${clientId} is in use at ${host}:${port} (326); trying ${clientId + 1 < first + tries ? clientId + 1 : "no more ids"}`);
    }
    throw new BrokerError("operational", `client ids ${first}..${first + tries - 1} are all in use at ${host}:${port} (326); expected a free one: close the other API clients or change ib.client_id`, 326);
  }

  private attemptOnce(clientId: number): Promise<"ready" | "client_id_in_use"> {
    const { host, port, connectTimeoutMs } = this.options;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        attempt.fail(new BrokerError("timeout", `no API handshake from TWS at ${host}:${port} within ${connectTimeoutMs / 1000}s (ib.connect_timeout_s); expected nextValidId after connecting`));
        this.detach();
      }, connectTimeoutMs);
      const attempt: Attempt = {
        clientId,
        clientIdInUse: false,
        socketError: null,
        settle: (outcome) => {
          clearTimeout(timer);
          this.attempt = null;
          resolve(outcome);
        },
        fail: (error) => {
          clearTimeout(timer);
          this.attempt = null;
          reject(error);
        },
      };
      this.attempt = attempt;
      this.newClient(clientId).connect(clientId);
    });
  }

  private onNextValidId(orderId: number): void {
    this.nextOrderId = Math.max(this.nextOrderId, orderId);
    const attempt = this.attempt;
    if (attempt === null || this.ready) return;
    // TWS sends managedAccounts before nextValidId: the account is known now, before any request.
    const resolved = resolveTradingAccount(this.options.account, this.accounts);
    if (resolved.type === "refused") {
      this.detach();
      attempt.fail(new BrokerError("operational", resolved.message));
      return;
    }
    this.account = resolved.account;
    this.ready = true;
    attempt.settle("ready");
  }

  private onDisconnected(): void {
    const attempt = this.attempt;
    if (attempt) {
      const { host, port } = this.options;
      this.detach();
      if (attempt.clientIdInUse) attempt.settle("client_id_in_use");
      else if (attempt.socketError !== null) attempt.fail(new BrokerError("temporary", `cannot reach TWS at ${host}:${port}: ${attempt.socketError}`, 502));
      else attempt.fail(new BrokerError("temporary", `TWS at ${host}:${port} closed the connection during the API handshake`));
      return;
    }
    if (!this.ready) return;
    this.ready = false;
    this.callbacks.onClosed(this.closingOnRequest ? "disconnected by gs" : `connection to TWS at ${this.options.host}:${this.options.port} closed`);
    if (!this.closingOnRequest) this.detach();
  }
}

