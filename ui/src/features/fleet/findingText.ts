import type { i18n as I18n } from "i18next";
import type { Finding } from "../../ipc/bindings";

/** A finding's text in the UI's language. */
export interface FindingText {
  title: string;
  explanation: string;
  fix: string;
}

/** The three texts of a finding, as the templates' keys end. */
type Field = keyof FindingText;

/** The param naming the form of a finding's text (core's `VARIANT`): the template's context. */
export const VARIANT = "variant";

/** A template key of a finding id: `findings.text.<id>.<field>`, `_<variant>` for a form. */
export function templateKey(id: string, field: Field): string {
  return `findings.text.${id}.${field}`;
}

/** `{{name}}` placeholders left in a rendered text: a value the finding did not carry. */
const PLACEHOLDER = /\{\{\s*[\w.]+\s*\}\}/;

type Translate = (key: string, options: Record<string, unknown>) => string;

/**
 * The values templates interpolate: the finding's params, each list (`x` with its `xMore`
 * count of names not listed) written as the language writes "a, b and 3 more".
 */
function values(translate: Translate, params: Partial<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) if (value !== undefined) out[key] = value;
  for (const [key, more] of Object.entries(out)) {
    if (!key.endsWith("More")) continue;
    const list = key.slice(0, -"More".length);
    const names = out[list];
    if (names === undefined || Number(more) <= 0) continue;
    out[list] = translate("findings.text.list", { names, more, defaultValue: `${names} and ${more} more` });
  }
  return out;
}

/**
 * A finding's title, explanation and fix summary in the UI's language: the template
 * `findings.text.<id>.<field>` (its `_<variant>` form when the finding names one) filled with
 * the finding's params. The core's text is the English, so English — and any language without
 * a template for this id, or whose template needs a value this finding lacks — shows it as is.
 */
export function findingText(i18n: I18n, finding: Finding): FindingText {
  const english: FindingText = { title: finding.title, explanation: finding.explanation, fix: finding.fix.summary };
  // Template keys are not English keys: the core's text is the English.
  const translate = i18n.t.bind(i18n) as unknown as Translate;
  const context = finding.params[VARIANT];
  const vals = values(translate, finding.params);
  const text = (field: Field): string => {
    const key = templateKey(finding.id, field);
    if (!i18n.exists(key, { context })) return english[field];
    const rendered = translate(key, { ...vals, context, defaultValue: english[field] });
    return PLACEHOLDER.test(rendered) ? english[field] : rendered;
  };
  return { title: text("title"), explanation: text("explanation"), fix: text("fix") };
}
