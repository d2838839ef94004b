import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement } from "react";
import { App } from "../app/App";
import { Providers } from "../app/providers";
import type { ClusterSummary, EstateView } from "../ipc/bindings";

/** A client that never retries and never caches between tests. */
export function testQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity, staleTime: 0 } },
  });
}

export function renderWithProviders(ui: ReactElement = <App />) {
  const user = userEvent.setup();
  const client = testQueryClient();
  const result = render(<Providers client={client}>{ui}</Providers>);
  return { user, client, ...result };
}

export function cluster(overrides: Partial<ClusterSummary> & Pick<ClusterSummary, "name">): ClusterSummary {
  return {
    server: `https://127.0.0.1:36${String(overrides.name.length).padStart(3, "0")}`,
    role: "member",
    kubernetesVersion: "v1.32.4",
    kubesphereVersion: "v3.4.1",
    namespaceCount: 10,
    latencyMs: 12,
    error: null,
    ...overrides,
  };
}

/** A small estate: one host, two healthy members with distinct facts, one broken member. */
export function demoEstate(): EstateView {
  return {
    source: "demo",
    label: "Demo estate (simulated)",
    clusters: [
      cluster({
        name: "host",
        server: "https://127.0.0.1:36111",
        role: "host",
        kubernetesVersion: "v1.32.4",
        kubesphereVersion: "v3.4.1",
        namespaceCount: 17,
        latencyMs: 4,
      }),
      cluster({
        name: "member-1",
        server: "https://127.0.0.1:36112",
        role: "member",
        kubernetesVersion: "v1.31.9",
        kubesphereVersion: "v3.4.0",
        namespaceCount: 23,
        latencyMs: 9,
      }),
      cluster({
        name: "edge",
        server: "https://127.0.0.1:36113",
        role: "none",
        kubernetesVersion: "v1.30.2",
        kubesphereVersion: null,
        namespaceCount: 5,
        latencyMs: 1234,
      }),
    ],
  };
}
