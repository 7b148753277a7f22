// The own executions this process has seen, in the order they first reached it. A
// reconciliation compares the broker's stock with a vouched position taken at one moment: an
// execution seen before that moment is in it, one seen after is not, whether it came live or
// from the broker's list. A mark (how many were seen then) tells the two apart.
import type { ExecutionReport } from "../core/order.ts";

export class SeenExecutions {
  private readonly inArrivalOrder: ExecutionReport[] = [];
  private readonly indexByExecId = new Map<string, number>();

  /** Notes an execution the first time it reaches this process; repeats change nothing. */
  note(execution: ExecutionReport): void {
    if (this.indexByExecId.has(execution.execId)) return;
    this.indexByExecId.set(execution.execId, this.inArrivalOrder.length);
    this.inArrivalOrder.push(execution);
  }

  has(execId: string): boolean {
    return this.indexByExecId.has(execId);
  }

  /** The execution as it first reached this process. */
  report(execId: string): ExecutionReport | undefined {
    const index = this.indexByExecId.get(execId);
    return index === undefined ? undefined : this.inArrivalOrder[index];
  }

  /** Now, as a mark for `before` and `since`. */
  mark(): number {
    return this.inArrivalOrder.length;
  }

  /** True when the execution reached this process before `mark` was taken. */
  before(execId: string, mark: number): boolean {
    const index = this.indexByExecId.get(execId);
    return index !== undefined && index < mark;
  }

  /** Executions that first reached this process after `fromMark` was taken and before `toMark` was. */
  between(fromMark: number, toMark: number): readonly ExecutionReport[] {
    return this.inArrivalOrder.slice(fromMark, toMark);
  }
}
