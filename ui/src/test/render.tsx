import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement } from "react";
import { App } from "../app/App";
import { Providers } from "../app/providers";

/** A client that never retries and never caches between tests. */
export function testQueryClient(): QueryClient {
  return new QueryClient({
    // As in the app, data stays fresh while the user moves between screens; refresh refetches.
    defaultOptions: { queries: { retry: false, gcTime: Infinity, staleTime: 30_000 }, mutations: { retry: false } },
  });
}

/** Renders with the app's providers; Mantine without transitions or portals. */
export function renderWithProviders(ui: ReactElement = <App />) {
  const user = userEvent.setup();
  const client = testQueryClient();
  const result = render(
    <Providers client={client} env="test">
      {ui}
    </Providers>,
  );
  return { user, client, ...result };
}
