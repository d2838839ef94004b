import type { i18n as I18n } from "i18next";
import { templateText, templateValues, VARIANT } from "../../i18n/templateText";
import type { Check } from "../../ipc/bindings";

/** A preflight check's text in the UI's language. */
export interface CheckText {
  title: string;
  message: string;
  /** The fix summary; empty when the check has no fix. */
  fix: string;
}

/** Where the checks' templates live: `preflight.text.<id>.<field>[_<variant>]`. */
export const CHECK_TEXT_BASE = "preflight.text";

/**
 * `clean-member`'s `conflicts` form: its English is the conflicting findings' own sentences;
 * its params list the names of each kind of conflict, and another language writes one
 * sentence per kind present, from `preflight.conflicts.<kind>`, in the core's order.
 */
export const CONFLICT_KINDS = ["workspaces", "localWorkspaces", "users", "emailUsers", "projects"] as const;
export const CONFLICTS_BASE = "preflight.conflicts";

const PLACEHOLDER = /\{\{\s*[\w.]+\s*\}\}/;

/** The conflicts' message in the UI's language, or `null` to keep the core's English. */
function conflictsMessage(i18n: I18n, params: Check["params"]): string | null {
  // Template keys are not English keys: the core's text is the English.
  const translate = i18n.t.bind(i18n) as unknown as (key: string, options?: Record<string, string>) => string;
  const values = templateValues(i18n, params);
  const parts: string[] = [];
  for (const kind of CONFLICT_KINDS) {
    if (params[kind] === undefined) continue;
    const key = `${CONFLICTS_BASE}.${kind}`;
    if (!i18n.exists(key)) return null;
    const part = translate(key, values);
    if (PLACEHOLDER.test(part)) return null;
    parts.push(part);
  }
  const separator = `${CONFLICTS_BASE}.separator`;
  if (parts.length === 0 || !i18n.exists(separator)) return null;
  return parts.join(translate(separator));
}

/**
 * A check's title, message and fix summary in the UI's language, from zh-CN's templates filled
 * with the check's params; the core's English where there is no template (as for findings).
 */
export function checkText(i18n: I18n, check: Check): CheckText {
  const english: CheckText = { title: check.title, message: check.message, fix: check.fix?.summary ?? "" };
  const text = templateText(i18n, CHECK_TEXT_BASE, check.id, check.params, english);
  if (check.id === "clean-member" && check.params[VARIANT] === "conflicts") {
    text.message = conflictsMessage(i18n, check.params) ?? check.message;
  }
  return check.fix === null ? { ...text, fix: "" } : text;
}
