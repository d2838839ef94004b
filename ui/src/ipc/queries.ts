import { useQuery } from "@tanstack/react-query";
import { commands, type EstateView, type Result } from "./bindings";
import { toIpcError, type IpcError } from "./errors";

declare module "@tanstack/react-query" {
  interface Register {
    // Query functions in this app only ever throw IpcError (see `call`).
    defaultError: IpcError;
  }
}

export const queryKeys = {
  estate: ["estate"] as const,
};

/**
 * Runs a generated command and unwraps its `Result`: returns `data`, or throws an
 * {@link IpcError} for the error branch and for anything `invoke` itself throws.
 */
export async function call<T>(command: () => Promise<Result<T, unknown>>): Promise<T> {
  let result: Result<T, unknown>;
  try {
    result = await command();
  } catch (e) {
    throw toIpcError(e);
  }
  if (result.status === "error") throw toIpcError(result.error);
  return result.data;
}

export function fetchEstate(): Promise<EstateView> {
  return call(() => commands.listClusters());
}

/** The open estate: every cluster with the facts read from it (`list_clusters`). */
export function useEstate() {
  return useQuery({
    queryKey: queryKeys.estate,
    queryFn: fetchEstate,
  });
}
