import { describe, expect, it } from "vitest";
import { fontStacks } from "./theme";

const LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15";
const MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";

describe("fontStacks", () => {
  it("leaves fonts to fontconfig on Linux: no family it would have to look up and miss", () => {
    expect(fontStacks(LINUX)).toEqual({ sans: "sans-serif", mono: "monospace" });
  });

  it("names the system and Chinese fonts of macOS and Windows, ending on the generic family", () => {
    for (const ua of [MAC, WINDOWS]) {
      const { sans, mono } = fontStacks(ua);
      expect(sans).toContain("-apple-system");
      expect(sans).toContain('"PingFang SC"');
      expect(sans).toContain('"Microsoft YaHei"');
      expect(sans.endsWith("sans-serif")).toBe(true);
      expect(mono).toContain("Consolas");
      expect(mono.endsWith("monospace")).toBe(true);
    }
  });
});
