// Two animation frames after load: the first runs before the page's first paint, the second
// after it. Then the same signal as the ksmc UI (ui/src/app/painted.ts).
requestAnimationFrame(() => {
  requestAnimationFrame(() => {
    window.__TAURI_INTERNALS__.invoke("ui_painted").catch(() => undefined);
  });
});
