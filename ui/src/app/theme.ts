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

const SYSTEM_FONTS =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif';
const MONO_FONTS =
  'ui-monospace, "SF Mono", SFMono-Regular, "JetBrains Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace';

/** One theme for every screen: system fonts (nothing remote), calm greys, one accent. */
export const theme = createTheme({
  primaryColor: "ks",
  primaryShade: { light: 8, dark: 7 },
  colors: { ks },
  fontFamily: SYSTEM_FONTS,
  fontFamilyMonospace: MONO_FONTS,
  headings: { fontFamily: SYSTEM_FONTS, fontWeight: "600" },
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
