import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { commands, type EstateInfo, type OpenEstate } from "../../ipc/bindings";
import { toIpcError } from "../../ipc/errors";
import { call, queryKeys } from "../../ipc/queries";

/** The demo scenarios of ksmc-sim's catalog (`demo_scenarios`); the list never changes. */
export function useDemoScenarios() {
  return useQuery({
    queryKey: ["demo-scenarios"] as const,
    queryFn: async (): Promise<string[]> => {
      try {
        return await commands.demoScenarios();
      } catch (e) {
        throw toIpcError(e);
      }
    },
    staleTime: Infinity,
  });
}

/**
 * Switches the window to another estate (`open_estate`). On success, every read of the old
 * estate is dropped and read again from the new one; the estate info is the answer itself.
 */
export function useOpenEstate(onSwitched?: (info: EstateInfo) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (choice: OpenEstate) => call(() => commands.openEstate(choice)),
    onSuccess: (info) => {
      client.setQueryData(queryKeys.estateInfo, info);
      // Not awaited: the screens show their loading state while the new estate is read.
      void client.resetQueries({ predicate: (q) => q.queryKey[0] !== queryKeys.estateInfo[0] });
      onSwitched?.(info);
    },
  });
}

/** The scenario the demo opens on unless the user picks another. */
export const DEFAULT_SCENARIO = "fresh";
