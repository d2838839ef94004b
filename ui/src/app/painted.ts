import { useEffect } from "react";
import { commands } from "../ipc/bindings";

let signalled = false;

/**
 * Marks a phase of the start-up in the page's performance timeline (`ksmc:…`), relative to the
 * navigation start: the real-window benchmark (`tests/e2e/tests/table_bench.rs`) reads them.
 */
export function markStartup(phase: string) {
  if (typeof performance !== "undefined" && typeof performance.mark === "function") performance.mark(`ksmc:${phase}`);
}

/**
 * Runs `callback` once the browser has painted the current frame: the first animation frame
 * runs before that paint, the second after it. Returns a function that cancels it.
 */
export function afterPaint(callback: () => void): () => void {
  let second = 0;
  const first = requestAnimationFrame(() => {
    second = requestAnimationFrame(callback);
  });
  return () => {
    cancelAnimationFrame(first);
    cancelAnimationFrame(second);
  };
}

/**
 * Tells the app, once per page load, that the first screen has painted its data (`ui_painted`).
 * The desktop benchmark (`ksmc-bench desktop`) stops its launch clock on it; otherwise the
 * command does nothing. A failure is ignored: it must never disturb the screen.
 */
export function usePaintedSignal(ready: boolean) {
  useEffect(() => {
    if (!ready || signalled) return;
    markStartup("overview-rendered");
    return afterPaint(() => {
      if (signalled) return;
      signalled = true;
      markStartup("painted");
      commands.uiPainted().catch(() => undefined);
    });
  }, [ready]);
}
