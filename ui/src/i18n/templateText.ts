import type { i18n as I18n } from "i18next";

/** The param naming the form of a core text (core's `VARIANT`): the template's context. */
export const VARIANT = "variant";

/** `{{name}}` placeholders left in a rendered text: a value the core's item did not carry. */
const PLACEHOLDER = /\{\{\s*[\w.]+\s*\}\}/;

type Translate = (key: string, options: Record<string, unknown>) => string;

/**
 * The values templates interpolate: the params, each list (`x` with its `xMore` count of
 * names not listed) written as the language writes "a, b and 3 more".
 */
export function templateValues(i18n: I18n, params: Partial<Record<string, string>>): Record<string, string> {
  return values(i18n.t.bind(i18n) as unknown as Translate, params);
}

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
 * Texts the core writes in English with language-neutral params (findings, preflight checks),
 * in the UI's language: for each field, the template `<base>.<id>.<field>` (its `_<variant>`
 * form when the params name one) filled with the params. English — and any language without
 * a template for the field, or whose template needs a value the params lack — shows the
 * core's text as is.
 */
export function templateText<F extends string>(
  i18n: I18n,
  base: string,
  id: string,
  params: Partial<Record<string, string>>,
  english: Record<F, string>,
): Record<F, string> {
  // Template keys are not English keys: the core's text is the English.
  const translate = i18n.t.bind(i18n) as unknown as Translate;
  const context = params[VARIANT];
  const vals = values(translate, params);
  const out = { ...english };
  for (const field of Object.keys(english) as F[]) {
    const key = `${base}.${id}.${field}`;
    if (!i18n.exists(key, { context })) continue;
    const rendered = translate(key, { ...vals, context, defaultValue: english[field] });
    if (!PLACEHOLDER.test(rendered)) out[field] = rendered;
  }
  return out;
}
