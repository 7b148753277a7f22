// Which host names only this machine can reach: decides whether `gs serve` may run without a
// token, and which Host headers a loopback-bound server answers.

/** True for 127.0.0.0/8, ::1 and localhost (brackets allowed around IPv6). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}
