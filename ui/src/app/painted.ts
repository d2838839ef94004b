import { useEffect } from "react";
import { commands, type PageMark } from "../ipc/bindings";

let signalled = false;

/**
 * Marks a phase of the start-up in the page's performance timeline (`ksmc:…`), relative to the
 * navigation start: the real-window benchmark (`tests/e2e/tests/table_bench.rs`) reads them.
 */
export function markStartup(phase: string) {
  if (typeof performance !== "undefined" && typeof performance.mark === "function") performance.mark(`ksmc:${phase}`);
}

/**
 * The page's start-up as wall-clock times (ms since the Unix epoch), for the desktop
 * benchmark's phase table: the navigation's own milestones and every `ksmc:` mark.
 */
export function startupMarks(): PageMark[] {
  if (typeof performance === "undefined" || typeof performance.getEntriesByType !== "function") return [];
  const origin = performance.timeOrigin;
  const marks: PageMark[] = [{ name: "navigation-start", epochMs: origin }];
  const [nav] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
  if (nav) {
    const milestones: [string, number][] = [
      ["response-end", nav.responseEnd],
      ["dom-interactive", nav.domInteractive],
      ["dom-content-loaded", nav.domContentLoadedEventEnd],
      ["load", nav.loadEventEnd],
    ];
    for (const [name, at] of milestones) if (at > 0) marks.push({ name, epochMs: origin + at });
  }
  for (const entry of performance.getEntriesByType("resource")) {
    // The start-up script and stylesheet (the entry chunk and its CSS).
    if (/\/assets\/index-[^/]*\.(js|css)$/.test(entry.name)) {
      const ext = entry.name.endsWith(".css") ? "css" : "js";
      marks.push({ name: `${ext}-fetched`, epochMs: origin + (entry as PerformanceResourceTiming).responseEnd });
    }
  }
  for (const entry of performance.getEntriesByType("mark")) {
    if (entry.name.startsWith("ksmc:")) marks.push({ name: entry.name.slice(5), epochMs: origin + entry.startTime });
  }
  return marks;
}

/**
 * Runs `callback` once the browser has painted the current frame: the first animation frame
 * (`onFrame`) runs before that paint, the second after it. Returns a function that cancels it.
 */
export function afterPaint(callback: () => void, onFrame?: () => void): () => void {
  let second = 0;
  const first = requestAnimationFrame(() => {
    onFrame?.();
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
      commands.uiPainted(startupMarks()).catch(() => undefined);
    }, () => {
      markStartup("frame");
    });
  }, [ready]);
}
