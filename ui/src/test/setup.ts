import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeAll, beforeEach } from "vitest";
import { preloadScreens } from "../app/screens";
import i18n, { loadLanguage } from "../i18n";

// happy-dom lays nothing out: give elements a size so the topology (React Flow) and the
// virtualised tables (which render only what fits) have room to render into.
const SIZES = { clientWidth: 1000, clientHeight: 600, offsetWidth: 1000, offsetHeight: 600 } as const;
for (const [prop, value] of Object.entries(SIZES)) {
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value });
}

// The screens loaded on demand in the app render at once in tests; zh-CN is there to switch to.
beforeAll(async () => {
  await Promise.all([preloadScreens(), loadLanguage("zh-CN")]);
});

beforeEach(async () => {
  window.localStorage.clear();
  await i18n.changeLanguage("en");
});

afterEach(() => {
  cleanup();
  clearMocks();
});
