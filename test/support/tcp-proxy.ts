// A loopback TCP proxy that can cut and restore the path to a server: a real network
// outage for the PostgreSQL sink (connections reset, new ones refused) without stopping
// a shared server. It can also hang it: connections stay open and nothing is answered, as
// with a stopped backend or a stuck proxy, where nothing errors either.
import { type Server, type Socket, connect, createServer } from "node:net";

export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** Client and upstream socket of each open connection. */
  private readonly pairs = new Set<readonly [Socket, Socket]>();
  private frozen = false;

  private listenPort = 0;

  private constructor(private readonly upstreamPort: number) {}

  static async start(upstreamPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(upstreamPort);
    proxy.listenPort = await proxy.listen(0);
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  /** Resets every open connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.resetConnections();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Passes no more bytes either way, on open connections and new ones, which all stay open. */
  freeze(): void {
    this.frozen = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Accepts connections again on the same port; after a freeze, the hung connections are reset (what they waited for fails). */
  async restore(): Promise<void> {
    if (this.frozen) {
      this.frozen = false;
      this.resetConnections();
    }
    if (this.server === null) await this.listen(this.listenPort);
  }

  close(): Promise<void> {
    return this.cut();
  }

  private listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((client) => this.pipe(client));
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        this.server = server;
        const address = server.address();
        resolve(typeof address === "object" && address !== null ? address.port : port);
      });
    });
  }

  private resetConnections(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.pairs.clear();
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.upstreamPort, "127.0.0.1");
    const pair = [client, upstream] as const;
    this.pairs.add(pair);
    for (const socket of pair) {
      this.sockets.add(socket);
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on("close", () => {
        this.sockets.delete(socket);
        this.pairs.delete(pair);
      });
    }
    if (this.frozen) return;
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
