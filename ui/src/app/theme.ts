import { createTheme, type MantineColorsTuple } from "@mantine/core";

/** KubeSphere's green, from light to dark; shade 8 keeps white text above 4.5:1. */
const ks: MantineColorsTuple = [
  "#e3f8ef",
  "#c9eedf",
  "#97dcc0",
  "#61caa0",
  "#36bb86",
  "#1cb276",
  "#00aa72",
  "#009463",
  "#00855a",
  "#00704b",
];

/**
 * The font stacks, by platform. macOS and Windows name their system and CJK fonts; on Linux
 * (WebKitGTK) every family named before one that is installed costs a fontconfig match per
 * font size and weight at the first layout (≈100 ms for the long list on the overview), and
 * fontconfig's own `sans-serif` and `monospace` already follow the desktop's configuration and
 * fall back to its CJK fonts by the page's `lang`.
 */
export function fontStacks(userAgent: string): { sans: string; mono: string } {
  if (/Linux|X11/.test(userAgent) && !userAgent.includes("Android")) {
    return { sans: "sans-serif", mono: "monospace" };
  }
  return {
    sans: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif',
    mono: 'ui-monospace, "SF Mono", SFMono-Regular, "JetBrains Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
  };
}

const fonts = fontStacks(typeof navigator === "undefined" ? "" : navigator.userAgent);

/** One theme for every screen: the platform's fonts (nothing remote), calm greys, one accent. */
export const theme = createTheme({
  primaryColor: "ks",
  primaryShade: { light: 8, dark: 7 },
  colors: { ks },
  fontFamily: fonts.sans,
  fontFamilyMonospace: fonts.mono,
  headings: { fontFamily: fonts.sans, fontWeight: "600" },
  defaultRadius: "md",
  cursorType: "pointer",
  fontSizes: { xs: "11px", sm: "13px", md: "14px", lg: "16px", xl: "20px" },
  components: {
    Badge: { defaultProps: { radius: "sm", variant: "light" } },
    Paper: { defaultProps: { withBorder: true, radius: "md" } },
    Tooltip: { defaultProps: { withArrow: true, openDelay: 300, multiline: true, maw: 360 } },
    Table: { defaultProps: { verticalSpacing: "xs", horizontalSpacing: "md" } },
  },
});
