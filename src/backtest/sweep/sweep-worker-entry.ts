// Worker entry when gs runs from source (tests, `bun src/cli/main.ts`); the compiled
// binary starts its workers as `gs backtest --sweep-worker` instead (see sweep-runner.ts).
import { serveSweepJobs } from "./sweep-worker.ts";

void serveSweepJobs();
