import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { markStartup } from "./app/painted";
import { Providers } from "./app/providers";
import { loadInitialLanguage } from "./i18n";
import "./styles.css";

// Every module of the first chunk has been evaluated.
markStartup("script");
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

// Only a language other than English waits for its strings (a local chunk) before rendering.
await loadInitialLanguage();

markStartup("render");
createRoot(root).render(
  <StrictMode>
    <Providers>
      <App />
    </Providers>
  </StrictMode>,
);
