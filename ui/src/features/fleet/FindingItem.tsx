import { useTranslation } from "react-i18next";
import { StatusBadge } from "../../components/StatusBadge";
import type { Finding } from "../../ipc/bindings";
import { CopyButton } from "./CopyButton";
import { SEVERITY_TONES } from "./findings";

/** One finding: severity, where, what is wrong and how to fix it. */
export function FindingItem({ finding }: { finding: Finding }) {
  const { t } = useTranslation();
  const { severity, cluster, object, title, explanation, fix } = finding;
  const commands = fix.commands.join("\n");
  return (
    <li className={`finding finding--${severity}`} data-testid={`finding-${finding.id}-${cluster}`}>
      <div className="finding__head">
        <StatusBadge tone={SEVERITY_TONES[severity]} dot data-testid="finding-severity">
          {t(`findings.severity.${severity}`)}
        </StatusBadge>
        <h3 className="finding__title">{title}</h3>
      </div>
      <p className="finding__where">
        <span className="finding__cluster">{cluster}</span>
        {object !== null && (
          <>
            <span aria-hidden="true"> · </span>
            <span className="mono">{object}</span>
          </>
        )}
      </p>
      <p className="finding__explanation">{explanation}</p>
      <div className="finding__fix">
        <p className="finding__fix-summary">
          <strong>{t("findings.fix")}</strong> {fix.summary}
        </p>
        {commands !== "" && (
          <div className="command-block">
            <pre className="mono" data-testid="finding-commands">
              <code>{commands}</code>
            </pre>
            <CopyButton text={commands} />
          </div>
        )}
      </div>
    </li>
  );
}
