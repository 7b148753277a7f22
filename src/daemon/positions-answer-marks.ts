// Where, in the daemon's event order, the broker took its answer to a positions request.
// TWS ends the answer with positionEnd, but the caller's code resumes only later: reports
// decoded in the same socket chunk (a fill right behind positionEnd, a trade made in TWS), and
// any that come while the reconciliation reads the sink, arrive in between and are newer than
// the answer. The broker's `positions_end` event marks the cut; the marks taken there say how
// many executions and position reports the answer can hold.
/** How far the daemon had got in its two report streams at one moment. */
export interface EventMarks {
  /** SeenExecutions mark: executions seen before it. */
  readonly seenMark: number;
  /** AccountPositions mark: position reports received (since the reconciliation began) before it. */
  readonly reportMark: number;
}

export class PositionsAnswerMarks {
  private request: { readonly sentAt: EventMarks; answeredAt: EventMarks | null } | null = null;

  constructor(private readonly now: () => EventMarks) {}

  /** A positions request goes out now: the next `positions_end` is its answer's. */
  requested(): void {
    this.request = { sentAt: this.now(), answeredAt: null };
  }

  /** The broker's `positions_end`, handled in event order. */
  onPositionsEnd(): void {
    if (this.request !== null && this.request.answeredAt === null) this.request.answeredAt = this.now();
  }

  /**
   * The marks where the answer to the last request was taken. A broker that did not say (no
   * `positions_end`) is only trusted when nothing arrived since the request: then now and the
   * answer's moment agree. Otherwise which reports the answer holds is unknown, and guessing
   * could count a fill twice or drop a trade: this throws, and the reconciliation is retried.
   */
  answered(): EventMarks {
    const request = this.request;
    if (request === null) throw new Error("positions answer marks read before any positions request");
    if (request.answeredAt !== null) return request.answeredAt;
    const now = this.now();
    if (now.seenMark === request.sentAt.seenMark && now.reportMark === request.sentAt.reportMark) return now;
    throw new Error(
      "the broker answered positions without a positions_end event while executions or position reports arrived: " +
        "which of them its list holds is unknown; reconciling again",
    );
  }
}
