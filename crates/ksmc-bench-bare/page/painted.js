// Two animation frames after load: the first runs before the page's first paint, the second
// after it. Then the same signal as the ksmc UI (ui/src/app/painted.ts), with the page's
// start-up milestones as wall-clock times.
function marks() {
  const origin = performance.timeOrigin;
  const all = [{ name: "navigation-start", epochMs: origin }];
  const [nav] = performance.getEntriesByType("navigation");
  if (nav) {
    for (const [name, at] of [
      ["response-end", nav.responseEnd],
      ["dom-interactive", nav.domInteractive],
      ["dom-content-loaded", nav.domContentLoadedEventEnd],
      ["load", nav.loadEventEnd],
    ]) {
      if (at > 0) all.push({ name, epochMs: origin + at });
    }
  }
  all.push({ name: "script", epochMs: origin + performance.now() });
  return all;
}

const script = marks();
requestAnimationFrame(() => {
  const frame = { name: "frame", epochMs: performance.timeOrigin + performance.now() };
  requestAnimationFrame(() => {
    const all = marks().filter((m) => m.name !== "script");
    all.push(script[script.length - 1], frame, { name: "painted", epochMs: performance.timeOrigin + performance.now() });
    window.__TAURI_INTERNALS__.invoke("ui_painted", { marks: all }).catch(() => undefined);
  });
});
