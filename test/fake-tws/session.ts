// One client connection to the fake TWS: handshake, framing and what it subscribed to.
import type { Socket } from "node:net";
import type { FakeContract } from "./contract.ts";
import { encodeFrame, ServerFrameReader } from "./framing.ts";
import type { WireField } from "./framing.ts";
import { SERVER_VERSION, serverVersionReply } from "./messages/connection.ts";
import { parseClientRequest } from "./requests.ts";
import type { ClientRequest } from "./requests.ts";

export interface MarketDataSubscription {
  readonly contract: FakeContract;
}

const CONNECTION_TIME = "20260105 09:25:00 US/Eastern";

export class FakeSession {
  /** Set by START_API once the client id is accepted. */
  clientId: number | null = null;
  readonly marketData = new Map<number, MarketDataSubscription>();
  positionsSubscribed = false;
  /** Position dumps in progress, chained so they go out one after another. */
  positionDumps: Promise<void> = Promise.resolve();
  /** nextValidId owed to this session while the fake withholds it. */
  owesNextValidId = false;
  private readonly reader = new ServerFrameReader();
  private closed = false;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly onRequest: (session: FakeSession, request: ClientRequest) => void,
    private readonly onClose: (session: FakeSession) => void,
    /** Bytes the fake could not read as the TWS protocol: recorded, and the connection dropped (as TWS would). */
    private readonly onProtocolError: (message: string) => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("close", () => this.markClosed());
    socket.on("error", () => this.markClosed());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send(fields: readonly WireField[]): void {
    if (!this.closed) this.socket.write(encodeFrame(fields));
  }

  /** Several messages in one socket write, so the client reads and handles them in one go. */
  sendTogether(messages: readonly (readonly WireField[])[]): void {
    if (!this.closed) this.socket.write(Buffer.concat(messages.map(encodeFrame)));
  }

  /** Flushes what was written, then closes (TWS does this after error 326). */
  end(): void {
    this.socket.end();
  }

  /** Drops the connection at once, like a network failure or a TWS crash. */
  destroy(): void {
    this.socket.destroy();
    this.markClosed();
  }

  private receive(chunk: Buffer): void {
    try {
      for (const frame of this.reader.push(chunk)) {
        if (frame.type === "handshake") {
          const version = Math.min(SERVER_VERSION, frame.maxVersion);
          this.send(serverVersionReply(version, CONNECTION_TIME));
        } else {
          this.onRequest(this, parseClientRequest(frame.fields));
        }
      }
    } catch (error) {
      this.onProtocolError(`session ${this.id}: ${(error as Error).message}`);
      this.destroy();
    }
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
  }
}
