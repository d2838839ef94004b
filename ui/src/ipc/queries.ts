import { useQuery } from "@tanstack/react-query";
import { commands, type EstateView, type FleetReport } from "./bindings";
import { toIpcError, type IpcError } from "./errors";

declare module "@tanstack/react-query" {
  interface Register {
    // Query functions in this app only ever throw IpcError (see `call`).
    defaultError: IpcError;
  }
}

export const queryKeys = {
  estate: ["estate"] as const,
  fleet: ["fleet"] as const,
};

/**
 * What a generated command resolves to. Declared here rather than imported: the
 * generator only exports its own `Result` type when a Rust type mentions one.
 */
type CommandResult<T> = { status: "ok"; data: T } | { status: "error"; error: unknown };

/**
 * Runs a generated command and unwraps its `Result`: returns `data`, or throws an
 * {@link IpcError} for the error branch and for anything `invoke` itself throws.
 */
export async function call<T>(command: () => Promise<CommandResult<T>>): Promise<T> {
  let result: CommandResult<T>;
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

export function fetchFleet(): Promise<FleetReport> {
  return call(() => commands.inspectFleet());
}

/** The fleet facts of the open estate and the findings they imply (`inspect_fleet`). */
export function useFleet() {
  return useQuery({
    queryKey: queryKeys.fleet,
    queryFn: fetchFleet,
  });
}
