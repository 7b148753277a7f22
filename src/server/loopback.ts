// Which host names only this machine can reach: decides whether `gs serve` may run without a
// token, and which Host headers a loopback-bound server answers.

/** True for 127.0.0.0/8, ::1 and localhost (brackets allowed around IPv6). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Whether a Host header names this machine, remembered per header value (clients send few distinct ones). */
export class LoopbackHostCheck {
  private static readonly MAX_REMEMBERED = 64;
  private readonly decisions = new Map<string, boolean>();

  allows(host: string | null): boolean {
    if (host === null) return false;
    let allowed = this.decisions.get(host);
    if (allowed === undefined) {
      allowed = isLoopbackHost(hostnameOf(host));
      if (this.decisions.size < LoopbackHostCheck.MAX_REMEMBERED) this.decisions.set(host, allowed);
    }
    return allowed;
  }
}

/** "127.0.0.1:8765" -> "127.0.0.1", "[::1]:8765" -> "::1". */
function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(host);
  return bracketed?.[1] ?? host.replace(/:\d+$/, "");
}
