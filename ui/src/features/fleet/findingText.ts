import type { i18n as I18n } from "i18next";
import { templateText } from "../../i18n/templateText";
import type { Finding } from "../../ipc/bindings";

export { VARIANT } from "../../i18n/templateText";

/** A finding's text in the UI's language. */
export interface FindingText {
  title: string;
  explanation: string;
  fix: string;
}

/** The three texts of a finding, as the templates' keys end. */
type Field = keyof FindingText;

/** Where the findings' templates live. */
const BASE = "findings.text";

/** A template key of a finding id: `findings.text.<id>.<field>`, `_<variant>` for a form. */
export function templateKey(id: string, field: Field): string {
  return `${BASE}.${id}.${field}`;
}

/**
 * A finding's title, explanation and fix summary in the UI's language: the template
 * `findings.text.<id>.<field>` (its `_<variant>` form when the finding names one) filled with
 * the finding's params. The core's text is the English, so English — and any language without
 * a template for this id, or whose template needs a value this finding lacks — shows it as is.
 */
export function findingText(i18n: I18n, finding: Finding): FindingText {
  const english: FindingText = { title: finding.title, explanation: finding.explanation, fix: finding.fix.summary };
  return templateText(i18n, BASE, finding.id, finding.params, english);
}
