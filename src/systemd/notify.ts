// sd_notify(3) without libsystemd: under a `Type=notify` unit systemd passes NOTIFY_SOCKET (a
// unix datagram socket, "@name" for the abstract namespace) and, with WatchdogSec=,
// WATCHDOG_USEC. `gs daemon` and `gs serve` tell it READY=1 once running, STOPPING=1 when they
// stop, and WATCHDOG=1 at half the watchdog interval from a timer on their own event loop, so
// a loop that hangs stops the pings and systemd restarts the process. Outside systemd: nothing.
import { dlopen, FFIType, ptr } from "bun:ffi";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0x80000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
/** sizeof(sockaddr_un.sun_path) on Linux. */
const SUN_PATH_BYTES = 108;

export interface SystemdNotifier {
  /** Sends `KEY=value` lines; false when it could not (the reason is logged once). */
  send(state: string): boolean;
  /** Pings WATCHDOG=1 at half WATCHDOG_USEC (wall time) until the returned function is called; no-op without a watchdog. */
  startWatchdog(): () => void;
  close(): void;
}

/**
 * sockaddr_un for NOTIFY_SOCKET: family AF_UNIX, then the path (NUL-terminated) or, for
 * "@name", a NUL and the name (not terminated: the length bounds it). Null when too long or empty.
 */
export function notifySocketAddress(socketPath: string): Uint8Array | null {
  const abstract = socketPath.startsWith("@");
  const name = new TextEncoder().encode(abstract ? socketPath.slice(1) : socketPath);
  const pathBytes = abstract ? 1 + name.length : name.length + 1;
  if (name.length === 0 || pathBytes > SUN_PATH_BYTES) return null;
  const address = new Uint8Array(2 + pathBytes);
  new DataView(address.buffer).setUint16(0, AF_UNIX, true);
  address.set(name, abstract ? 3 : 2);
  return address;
}

const NOTHING: SystemdNotifier = { send: () => false, startWatchdog: () => () => {}, close: () => {} };

/** The notifier for this process's environment; does nothing when NOTIFY_SOCKET is unset. */
export function systemdNotifier(env: Readonly<Record<string, string | undefined>>, warn: (message: string) => void): SystemdNotifier {
  const socketPath = env.NOTIFY_SOCKET;
  if (socketPath === undefined || socketPath === "") return NOTHING;
  const address = notifySocketAddress(socketPath);
  if (address === null) {
    warn(`NOTIFY_SOCKET was ${JSON.stringify(socketPath)}, expected a unix socket path of at most ${SUN_PATH_BYTES - 1} bytes: systemd is not notified`);
    return NOTHING;
  }
  let libc: ReturnType<typeof openLibc>;
  try {
    libc = openLibc();
  } catch (error) {
    warn(`cannot load libc to notify systemd (${(error as Error).message}): systemd is not notified`);
    return NOTHING;
  }
  const fd = libc.symbols.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    warn("socket(AF_UNIX, SOCK_DGRAM) failed: systemd is not notified");
    libc.close();
    return NOTHING;
  }
  const watchdogUsec = Number(env.WATCHDOG_USEC ?? "");
  const watchdogPid = env.WATCHDOG_PID === undefined ? null : Number(env.WATCHDOG_PID);
  // WATCHDOG_PID names the process the watchdog is for; a child that inherited it must not ping.
  const watchdogMs = Number.isFinite(watchdogUsec) && watchdogUsec > 0 && (watchdogPid === null || watchdogPid === process.pid) ? watchdogUsec / 1000 : null;
  let warned = false;
  let closed = false;
  const send = (state: string): boolean => {
    if (closed) return false;
    const message = new TextEncoder().encode(state);
    // Never blocks: a receiver that stopped reading (its queue holds 10 datagrams by default)
    // would otherwise freeze the event loop that the watchdog is meant to prove alive.
    const sent = libc.symbols.sendto(fd, ptr(message), message.length, MSG_DONTWAIT | MSG_NOSIGNAL, ptr(address), address.length);
    if (Number(sent) === message.length) return true;
    if (!warned) warn(`notifying systemd at ${socketPath} failed (sendto returned ${sent}); later failures are not logged`);
    warned = true;
    return false;
  };
  return {
    send,
    startWatchdog: () => {
      if (watchdogMs === null) return () => {};
      const timer = setInterval(() => void send("WATCHDOG=1"), watchdogMs / 2);
      return () => clearInterval(timer);
    },
    close: () => {
      if (closed) return;
      closed = true;
      libc.symbols.close(fd);
      libc.close();
    },
  };
}

function openLibc() {
  return dlopen("libc.so.6", {
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    sendto: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  });
}
