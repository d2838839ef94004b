import { QueryClient } from "@tanstack/react-query";
import { isTransient } from "../ipc/errors";

/** The app's query defaults: a desktop app talking to local Rust, not a web page. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Cluster facts change slowly; the user refreshes on demand.
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // Only network trouble is worth retrying by itself; 401/403/… will not heal.
        retry: (failureCount, error) => failureCount < 2 && isTransient(error.kind),
      },
    },
  });
}
