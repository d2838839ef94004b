import type { i18n as I18n } from "i18next";
import { templateText } from "../../i18n/templateText";
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
 * A check's title, message and fix summary in the UI's language, from zh-CN's templates filled
 * with the check's params; the core's English where there is no template (as for findings).
 */
export function checkText(i18n: I18n, check: Check): CheckText {
  const english: CheckText = { title: check.title, message: check.message, fix: check.fix?.summary ?? "" };
  const text = templateText(i18n, CHECK_TEXT_BASE, check.id, check.params, english);
  return check.fix === null ? { ...text, fix: "" } : text;
}
