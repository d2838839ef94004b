import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Tauri loads the dev server on a fixed port and the built files from dist/.
// See https://v2.tauri.app/start/frontend/vite/
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: {
    // Must match devUrl (http://localhost:5173) and the devCsp of src-tauri.
    port: 5173,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**", "**/target/**"] },
  },
  preview: {
    port: 4173,
    strictPort: true,
    host: "127.0.0.1",
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    // WebKitGTK (Linux) and WKWebView (macOS) are the oldest engines we ship on.
    target: "safari16",
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // Keep every asset a real file: the CSP forbids data: scripts and inline code.
    assetsInlineLimit: 0,
    // One bundle read from local disk by the webview: size matters less than for the web.
    chunkSizeWarningLimit: 1200,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
  },
});
