// A one-line progress bar on stderr for runs longer than a second, only on a terminal and
// never with --json (scripts read stdout; stderr stays quiet for them too).

const SHOW_AFTER_MS = 1000;
const WIDTH = 30;

export interface ProgressBar {
  update(fraction: number): void;
  done(): void;
}

export function progressBar(
  label: string,
  enabled: boolean,
  nowMs: () => number = () => performance.now(),
  write: (text: string) => void = (text) => process.stderr.write(text),
): ProgressBar {
  const startMs = nowMs();
  let shown = false;
  let lastPercent = -1;
  return {
    update(fraction) {
      if (!enabled) return;
      if (!shown && nowMs() - startMs < SHOW_AFTER_MS) return;
      const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
      if (percent === lastPercent) return;
      shown = true;
      lastPercent = percent;
      const filled = Math.round((percent / 100) * WIDTH);
      write(`\r${label} [${"#".repeat(filled)}${".".repeat(WIDTH - filled)}] ${String(percent).padStart(3)}%`);
    },
    done() {
      if (shown) write("\n");
    },
  };
}
