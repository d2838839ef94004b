import type { Acknowledgement, AddChoice, AddOutcome, ContextPreview, ContextsPreview, KubeconfigSource } from "../../ipc/bindings";
import { commands } from "../../ipc/bindings";
import { call } from "../../ipc/queries";
import { isValidName } from "./vaultErrors";

/**
 * The two calls that carry a kubeconfig. They bypass the query cache on purpose: the pasted
 * text is a secret and must not be kept as a query key or mutation variable.
 */
export function fetchContexts(source: KubeconfigSource): Promise<ContextsPreview> {
  return call(() => commands.vaultContexts(source));
}

export function addClusters(source: KubeconfigSource, choices: AddChoice[], acks: Acknowledgement[]): Promise<AddOutcome[]> {
  return call(() => commands.vaultAdd(source, choices, acks));
}

/** A vault name proposed for a context: its name as an RFC 1123 label. */
export function suggestName(context: string): string {
  const label = context
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return isValidName(label) ? label : "cluster";
}

/** Every acknowledgement the chosen contexts need, once each, in a stable order. */
export function requiredAcks(contexts: ContextPreview[]): Acknowledgement[] {
  const all = new Set(contexts.flatMap((c) => c.needsAcknowledgement));
  return [...all].sort();
}

/** Why a name cannot be used: invalid, used twice in the form, or already in the vault. */
export function nameProblem(name: string, others: string[], existing: string[]): "invalid" | "duplicate" | "taken" | null {
  if (!isValidName(name)) return "invalid";
  if (others.includes(name)) return "duplicate";
  if (existing.includes(name)) return "taken";
  return null;
}
