import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { markStartup } from "./app/painted";
import { Providers } from "./app/providers";
import { createQueryClient } from "./app/queryClient";
import { loadInitialLanguage } from "./i18n";
import { fetchFleet, queryKeys } from "./ipc/queries";
import "./styles.css";

// The dev server pre-bundles Mantine past the per-component styles plugin (vite.config.ts):
// there the whole sheet, before the first render. Not in the built app.
if (import.meta.env.DEV) await import("@mantine/core/styles.css");

// Every module of the first chunk has been evaluated.
markStartup("script");
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

// The first screen's data is asked for now, so the backend reads the estate while the page
// sets up and React renders the shell; the overview renders with it as soon as it is there.
const client = createQueryClient();
// A failure is the overview's to show: its own query reads the cache (and retries).
const fleet = client.query({ queryKey: queryKeys.fleet, queryFn: fetchFleet }).catch(() => undefined);

// Only a language other than English waits for its strings (a local chunk) before rendering.
await loadInitialLanguage();
// A report that comes quickly (the demo's takes ≈10 ms) is in the first render, which then
// paints the overview at once instead of its placeholders first and the overview one render
// later; a slow estate (the keyring, far clusters) shows the shell and placeholders after
// FIRST_RENDER_WAIT_MS.
const FIRST_RENDER_WAIT_MS = 100;
await Promise.race([fleet, new Promise((resolve) => setTimeout(resolve, FIRST_RENDER_WAIT_MS))]);

markStartup("render");
createRoot(root).render(
  <StrictMode>
    <Providers client={client}>
      <App />
    </Providers>
  </StrictMode>,
);
