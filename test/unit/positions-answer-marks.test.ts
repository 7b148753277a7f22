// Where a positions answer was taken among the reports the daemon received: at the broker's
// positions_end when it said; without it, only when nothing arrived since the request.
import { describe, expect, test } from "bun:test";
import { type EventMarks, PositionsAnswerMarks } from "../../src/daemon/positions-answer-marks.ts";

function marksOver(start: EventMarks) {
  let now = start;
  const marks = new PositionsAnswerMarks(() => now);
  return { marks, arrive: (seen: number, reports: number) => (now = { seenMark: now.seenMark + seen, reportMark: now.reportMark + reports }) };
}

describe("PositionsAnswerMarks", () => {
  test("the answer's marks are those at positions_end, not those when the caller resumes", () => {
    const { marks, arrive } = marksOver({ seenMark: 3, reportMark: 1 });
    marks.requested();
    arrive(1, 2);
    marks.onPositionsEnd();
    arrive(1, 1); // behind positionEnd, read before the caller resumes
    marks.onPositionsEnd(); // another request's answer: not this one's
    expect(marks.answered()).toEqual({ seenMark: 4, reportMark: 3 });
  });

  test("a positions_end before the request is not its answer's", () => {
    const { marks, arrive } = marksOver({ seenMark: 0, reportMark: 0 });
    marks.requested();
    marks.onPositionsEnd();
    arrive(1, 0);
    marks.requested();
    arrive(0, 1);
    marks.onPositionsEnd();
    expect(marks.answered()).toEqual({ seenMark: 1, reportMark: 1 });
  });

  test.each([
    ["nothing arrived since the request: now is the answer's moment", 0, 0, null],
    ["an execution arrived", 1, 0, "without a positions_end event"],
    ["a position report arrived", 0, 1, "without a positions_end event"],
  ] as const)("no positions_end, %s", (_, seen, reports, error) => {
    const { marks, arrive } = marksOver({ seenMark: 2, reportMark: 5 });
    marks.requested();
    arrive(seen, reports);
    if (error === null) expect(marks.answered()).toEqual({ seenMark: 2, reportMark: 5 });
    else expect(() => marks.answered()).toThrow(error);
  });
});
