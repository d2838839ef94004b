// Mantine's global sheets, in the order its docs require; each component's own sheet comes with
// its code (the `ksmc:mantine-styles-per-component` plugin in vite.config.ts).
import "@mantine/core/styles/baseline.css";
import "@mantine/core/styles/default-css-variables.css";
import "@mantine/core/styles/global.css";
import { MantineProvider } from "@mantine/core";
import type { QueryClient } from "@tanstack/react-query";
import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import i18n from "../i18n";
import { installStyleNonce } from "./cspNonce";
import { createQueryClient } from "./queryClient";
import { theme } from "./theme";

interface ProvidersProps {
  children: ReactNode;
  /** The app's (`main.tsx`, which starts the first screen's query before rendering) or a
   * test's; otherwise one is made per mount. */
  client?: QueryClient;
  /** `"test"`: no transitions and no portals (Vitest). */
  env?: "default" | "test";
}

const nonce = installStyleNonce();
// Mantine adds `nonce=""` when there is none: harmless where no nonce is expected (tests, dev).
const getStyleNonce = () => nonce ?? "";

/** Everything the screens need from context: the query cache, the translations, the theme. */
export function Providers({ children, client, env = "default" }: ProvidersProps) {
  const [ownClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client ?? ownClient}>
      <I18nextProvider i18n={i18n}>
        {/* "auto": light or dark as the system says, following changes while running. */}
        <MantineProvider theme={theme} defaultColorScheme="auto" getStyleNonce={getStyleNonce} env={env}>
          {children}
        </MantineProvider>
      </I18nextProvider>
    </QueryClientProvider>
  );
}
