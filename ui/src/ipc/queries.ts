import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Channel } from "@tauri-apps/api/core";
import {
  commands,
  type ClusterFacts,
  type EstateInfo,
  type ExecReview,
  type FleetPatch,
  type FleetReport,
  type Plan,
  type PreflightReport,
  type RunEvent,
  type RunReport,
  type RunSummary,
  type VaultListing,
  type WorkflowInput,
} from "./bindings";
import { toIpcError, type IpcError } from "./errors";

declare module "@tanstack/react-query" {
  interface Register {
    // Query and mutation functions in this app only ever throw IpcError (see `call`).
    defaultError: IpcError;
  }
}

export const queryKeys = {
  estateInfo: ["estate-info"] as const,
  fleet: ["fleet"] as const,
  vault: ["vault"] as const,
  execReview: (name: string) => ["vault", "exec-review", name] as const,
  runs: ["runs"] as const,
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

/** Runs a command that cannot fail on the Rust side; `invoke` itself still can. */
async function callInfallible<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (e) {
    throw toIpcError(e);
  }
}

/** Where the open estate comes from (vault, demo or directory); `open_estate` sets it when it switches. */
export function useEstateInfo() {
  return useQuery({
    queryKey: queryKeys.estateInfo,
    queryFn: (): Promise<EstateInfo> => callInfallible(() => commands.estateInfo()),
    staleTime: Infinity,
  });
}

export function fetchFleet(): Promise<FleetReport> {
  return call(() => commands.inspectFleet());
}

/**
 * The fleet facts of the open estate and the findings they imply (`inspect_fleet`): the one
 * read of every cluster behind the overview, the topology and the cluster detail.
 */
export function useFleet() {
  return useQuery({
    queryKey: queryKeys.fleet,
    queryFn: fetchFleet,
  });
}

/**
 * A refresh's patch applied to a report: the patch's clusters replace those of the same name,
 * in the patch's order, and its findings replace them all. `null` when the patch names a
 * cluster that neither it nor the report holds: that report is too old to patch.
 */
export function applyFleetPatch(report: FleetReport, patch: FleetPatch): FleetReport | null {
  const fresh = new Map(patch.clusters.map((c) => [c.name, c]));
  const known = new Map(report.clusters.map((c) => [c.name, c]));
  const clusters: ClusterFacts[] = [];
  for (const name of patch.order) {
    const c = fresh.get(name) ?? known.get(name);
    if (!c) return null;
    clusters.push(c);
  }
  return { clusters, findings: patch.findings };
}

/**
 * Reads the named clusters again (`refresh_clusters`) and patches the cached fleet report with
 * them; the whole report is refetched instead when there is none to patch, when it is being
 * fetched now (that answer could predate the change), or when the refresh fails.
 */
export async function refreshFleetClusters(client: QueryClient, names: string[]): Promise<void> {
  let patch: FleetPatch;
  try {
    patch = await call(() => commands.refreshClusters(names));
  } catch {
    await client.invalidateQueries({ queryKey: queryKeys.fleet });
    return;
  }
  const current = client.getQueryData<FleetReport>(queryKeys.fleet);
  const next = current && client.isFetching({ queryKey: queryKeys.fleet }) === 0 ? applyFleetPatch(current, patch) : null;
  if (next) client.setQueryData<FleetReport>(queryKeys.fleet, next);
  else await client.invalidateQueries({ queryKey: queryKeys.fleet });
}

/** The vault's clusters and the keyring's status (`vault_list`). */
export function useVault() {
  return useQuery({
    queryKey: queryKeys.vault,
    queryFn: (): Promise<VaultListing> => call(() => commands.vaultList()),
    // The keyring is asked for the key on each read: do not retry a locked keyring by itself.
    retry: false,
  });
}

/** What approving a cluster's exec plugin would approve; only while the dialog is open. */
export function useExecReview(name: string | null) {
  return useQuery({
    queryKey: queryKeys.execReview(name ?? ""),
    queryFn: (): Promise<ExecReview> => call(() => commands.vaultExecReview(name ?? "")),
    enabled: name !== null,
    retry: false,
    staleTime: 0,
    gcTime: 0,
  });
}

/** A vault change; the vault listing is read again afterwards, whatever the outcome. */
function useVaultMutation<A, T>(run: (args: A) => Promise<T>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.vault }),
  });
}

export function useVaultRename() {
  return useVaultMutation(({ name, newName }: { name: string; newName: string }) =>
    call(() => commands.vaultRename(name, newName)),
  );
}

export function useVaultRemove() {
  return useVaultMutation((name: string) => call(() => commands.vaultRemove(name)));
}

export function useApproveExec() {
  return useVaultMutation(({ name, fingerprint }: { name: string; fingerprint: string }) =>
    call(() => commands.vaultApproveExec(name, fingerprint)),
  );
}

/** Every saved run, newest first (`list_runs`). */
export function useRuns() {
  return useQuery({
    queryKey: queryKeys.runs,
    queryFn: (): Promise<RunSummary[]> => call(() => commands.listRuns()),
    staleTime: 0,
  });
}

/** The import checklist of `member` into `host` as Cluster `name` (`preflight_import`). Writes nothing. */
export function usePreflightImport() {
  return useMutation({
    mutationFn: ({ host, member, name }: { host: string; member: string; name: string }): Promise<PreflightReport> =>
      call(() => commands.preflightImport(host, member, name)),
  });
}

/** Plans a workflow from live reads and saves it as a run (`plan_workflow`). Writes nothing. */
export function planWorkflow(input: WorkflowInput): Promise<Plan> {
  return call(() => commands.planWorkflow(input));
}

/**
 * Applies a reviewed run (or resumes one), calling `onEvent` for each progress event in order;
 * resolves with the run's report. Refusals before any write (stale plan, locked) throw.
 */
export function startRun(runId: string, resume: boolean, onEvent: (event: RunEvent) => void): Promise<RunReport> {
  const channel = new Channel<RunEvent>(onEvent);
  return call(() => (resume ? commands.resumeRun(runId, channel) : commands.applyRun(runId, channel)));
}

/** Asks a running run to stop before its next step (`cancel_run`). */
export function cancelRun(runId: string): Promise<null> {
  return call(() => commands.cancelRun(runId));
}

/** A run's plan as a shell script of kubectl commands (`run_script`). */
export function fetchRunScript(runId: string): Promise<string> {
  return call(() => commands.runScript(runId));
}
