// The receiving end of NOTIFY_SOCKET, as systemd holds it: a unix datagram socket bound to a
// path (or an abstract name), read without blocking. libc through bun:ffi, like the sender.
import { dlopen, FFIType, ptr } from "bun:ffi";
import { notifySocketAddress } from "../../src/systemd/notify.ts";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0x800;
const SOCK_CLOEXEC = 0x80000;

export class NotifySocket {
  private readonly libc = dlopen("libc.so.6", {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    recv: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  });
  private readonly fd: number;
  private readonly buffer = new Uint8Array(4096);
  /** Every datagram received so far, in order. */
  readonly messages: string[] = [];

  constructor(readonly socketPath: string) {
    const address = notifySocketAddress(socketPath);
    if (address === null) throw new Error(`bad socket path ${socketPath}`);
    this.fd = this.libc.symbols.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (this.fd < 0) throw new Error("socket() failed");
    if (this.libc.symbols.bind(this.fd, ptr(address), address.length) !== 0) throw new Error(`bind(${socketPath}) failed`);
  }

  /** Reads what has arrived. */
  drain(): string[] {
    for (;;) {
      const n = Number(this.libc.symbols.recv(this.fd, ptr(this.buffer), this.buffer.length, 0));
      if (n < 0) return this.messages;
      this.messages.push(new TextDecoder().decode(this.buffer.subarray(0, n)));
    }
  }

  /** Waits (bounded, real time) until `done` holds over the messages received. */
  async until(done: (messages: readonly string[]) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (done(this.drain())) return;
      await Bun.sleep(20);
    }
    throw new Error(`${what} never arrived; received ${JSON.stringify(this.messages)}`);
  }

  close(): void {
    this.libc.symbols.close(this.fd);
    this.libc.close();
  }
}
