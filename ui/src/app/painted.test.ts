import { renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { callsOf, mockCommands } from "../test/ipc";
import { afterPaint, markStartup, startupMarks, usePaintedSignal } from "./painted";

const frames = () =>
  new Promise<void>((resolve) => {
    afterPaint(resolve);
  });

describe("the painted signal of the desktop benchmark", () => {
  it("waits for the data, then signals once per page load after two frames", async () => {
    const calls = mockCommands({});
    const { rerender } = renderHook(({ ready }) => {
      usePaintedSignal(ready);
    }, { initialProps: { ready: false } });
    await frames();
    expect(callsOf(calls, "ui_painted")).toBe(0);

    rerender({ ready: true });
    await waitFor(() => {
      expect(callsOf(calls, "ui_painted")).toBe(1);
    });
    // Data refreshed, screen shown again: the first paint has been told already.
    rerender({ ready: false });
    rerender({ ready: true });
    await frames();
    await frames();
    expect(callsOf(calls, "ui_painted")).toBe(1);
  });

  it("sends the page's start-up marks as wall-clock times with the signal", () => {
    markStartup("script");
    const marks = startupMarks();
    const origin = performance.timeOrigin;
    expect(marks[0]).toEqual({ name: "navigation-start", epochMs: origin });
    const script = marks.find((m) => m.name === "script")?.epochMs ?? Number.NaN;
    expect(script).toBeGreaterThanOrEqual(origin);
    expect(script).toBeLessThanOrEqual(origin + performance.now());
    // Only ksmc's own marks, without their prefix.
    performance.mark("someone-else");
    expect(startupMarks().some((m) => m.name.includes("someone-else") || m.name.startsWith("ksmc:"))).toBe(false);
  });

  it("cancels a pending signal when the screen goes away before it paints", async () => {
    let ran = false;
    const cancel = afterPaint(() => {
      ran = true;
    });
    cancel();
    await frames();
    await frames();
    expect(ran).toBe(false);
  });
});
