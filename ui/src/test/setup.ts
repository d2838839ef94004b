import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";
import i18n from "../i18n";

// happy-dom lays nothing out: give elements a size so the topology (React Flow) and the
// virtualised tables (which render only what fits) have room to render into.
const SIZES = { clientWidth: 1000, clientHeight: 600, offsetWidth: 1000, offsetHeight: 600 } as const;
for (const [prop, value] of Object.entries(SIZES)) {
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value });
}

beforeEach(async () => {
  window.localStorage.clear();
  await i18n.changeLanguage("en");
});

afterEach(() => {
  cleanup();
  clearMocks();
});
