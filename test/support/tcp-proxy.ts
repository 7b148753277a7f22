// A loopback TCP proxy that can cut and restore the path to a server: a real network
// outage for the PostgreSQL sink (connections reset, new ones refused) without stopping
// a shared server.
import { type Server, type Socket, connect, createServer } from "node:net";

export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

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
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again on the same port. */
  async restore(): Promise<void> {
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

  private pipe(client: Socket): void {
    const upstream = connect(this.upstreamPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on("close", () => this.sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
