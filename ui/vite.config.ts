import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

/**
 * Each Mantine component's stylesheet goes with its code: the module holding a component's
 * class names (`@mantine/core/esm/components/X/X.module.mjs`, imported by every component that
 * uses those classes) also imports `@mantine/core/styles/X.css`. The start-up chunk's CSS then
 * holds only the components the first screen's code imports, and each lazily loaded screen
 * brings the rest with its chunk, instead of the whole 259 kB `styles.css` parsed at start
 * (Mantine's "import styles per component"; the global sheets are imported in `providers.tsx`).
 * The dev server pre-bundles Mantine past this hook, so it loads the whole sheet (`main.tsx`).
 */
export function mantineStylesPerComponent(): Plugin {
  const classNames = /[\\/]@mantine[\\/]core[\\/]esm[\\/].*[\\/]([A-Za-z]+)\.module\.mjs$/;
  return {
    name: "ksmc:mantine-styles-per-component",
    apply: "build",
    transform(code, id) {
      const component = classNames.exec(id.split("?", 1)[0] ?? id)?.[1];
      if (!component) return null;
      return { code: `${code}\nimport "@mantine/core/styles/${component}.css";\n`, map: null };
    },
  };
}

// Tauri loads the dev server on a fixed port and the built files from dist/.
// See https://v2.tauri.app/start/frontend/vite/
export default defineConfig({
  plugins: [react(), mantineStylesPerComponent()],
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
