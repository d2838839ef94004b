import type { ErrorKind } from "../../ipc/bindings";

/** Kinds with their own next step in the vault; the rest share a generic one. */
const NEXT: ReadonlySet<ErrorKind> = new Set(["NotFound", "Conflict", "Invalid", "Forbidden", "KeyringUnavailable", "Internal"]);

/** i18n key of what to do after a vault operation failed with `kind`. */
export function nextStepKey(kind: ErrorKind) {
  return NEXT.has(kind)
    ? (`vault.next.${kind as "NotFound" | "Conflict" | "Invalid" | "Forbidden" | "KeyringUnavailable" | "Internal"}` as const)
    : ("vault.next.other" as const);
}

/** Errors the user fixes in the form itself (shown under the field, not as a panel). */
export function isFieldError(kind: ErrorKind): boolean {
  return kind === "Conflict" || kind === "Invalid";
}

/** Cluster names in the vault: an RFC 1123 label (as the core checks it). */
export function isValidName(name: string): boolean {
  return name.length > 0 && name.length <= 63 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name);
}
