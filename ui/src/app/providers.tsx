import type { QueryClient } from "@tanstack/react-query";
import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import i18n from "../i18n";
import { createQueryClient } from "./queryClient";

interface ProvidersProps {
  children: ReactNode;
  /** Tests pass their own client; the app makes one per mount. */
  client?: QueryClient;
}

/** Everything the screens need from context: the query cache and the translations. */
export function Providers({ children, client }: ProvidersProps) {
  const [ownClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={client ?? ownClient}>
      <I18nextProvider i18n={i18n}>{children}</I18nextProvider>
    </QueryClientProvider>
  );
}
