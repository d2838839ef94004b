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

/** Where the templates of findings' object labels live: `findings.object.<form>`. */
const OBJECT_BASE = "findings.object";

/**
 * The shapes of the core's object labels (`Finding::object`, e.g. `Workspace team-a`,
 * `Cluster member-1 on host`), each with the template of its form; most specific first.
 */
const OBJECT_FORMS: readonly (readonly [RegExp, string])[] = [
  [/^InstallPlan (?<name>\S+) on (?<host>\S+) \(Cluster (?<cluster>\S+)\)$/, "installPlanOn"],
  [/^Cluster (?<name>\S+) on (?<host>\S+)$/, "clusterOn"],
  [/^(?<kind>Cluster|Workspace|User|Namespace|ConfigMap|ClusterConfiguration|InstallPlan|component) (?<name>\S+)$/, ""],
];

/**
 * The object a finding is about, in the UI's language: the kind words translated, the names
 * as the core wrote them. English, and a label of a shape no template knows, show the core's.
 */
export function objectLabel(i18n: I18n, object: string): string {
  for (const [shape, form] of OBJECT_FORMS) {
    const groups = shape.exec(object)?.groups;
    if (groups === undefined) continue;
    const key = `${OBJECT_BASE}.${form === "" ? (groups.kind ?? "") : form}`;
    // Template keys are not English keys: the core's label is the English.
    const translate = i18n.t.bind(i18n) as unknown as (key: string, values: Record<string, string>) => string;
    return i18n.exists(key) ? translate(key, { ...groups }) : object;
  }
  return object;
}
