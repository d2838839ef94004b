import { useTranslation } from "react-i18next";
import { Skeleton } from "../../components/Skeleton";
import { StatusBadge } from "../../components/StatusBadge";
import { AlertIcon } from "../../components/icons";
import type { Finding } from "../../ipc/bindings";
import type { IpcError } from "../../ipc/errors";
import { errorKindKey } from "../../ipc/errors";
import { FindingItem } from "./FindingItem";
import { SEVERITIES, SEVERITY_TONES, countBySeverity, sortFindings } from "./findings";

interface FindingsPanelProps {
  /** `undefined` while loading. */
  findings: readonly Finding[] | undefined;
  error: IpcError | null;
  onRetry: () => void;
  retrying: boolean;
}

/** The "Findings" card: what is wrong in the estate, most severe first, each with its fix. */
export function FindingsPanel({ findings, error, onRetry, retrying }: FindingsPanelProps) {
  const { t } = useTranslation();
  return (
    <section className="findings-card" aria-labelledby="findings-title" data-testid="findings">
      <header className="findings-card__header">
        <h2 id="findings-title" className="findings-card__title">
          {t("findings.title")}
        </h2>
        {findings && findings.length > 0 && <SeverityCounts findings={findings} />}
      </header>
      <FindingsBody findings={findings} error={error} onRetry={onRetry} retrying={retrying} />
    </section>
  );
}

function FindingsBody({ findings, error, onRetry, retrying }: FindingsPanelProps) {
  const { t } = useTranslation();
  if (error && !findings) {
    return (
      <div className="findings-card__error" role="alert" data-testid="findings-error">
        <AlertIcon />
        <span>
          <strong>{t("findings.errorTitle")}</strong> · {t(errorKindKey(error.kind))} · {error.message}
        </span>
        <button type="button" className="button button--secondary button--small" onClick={onRetry} disabled={retrying}>
          {t("estate.retry")}
        </button>
      </div>
    );
  }
  if (!findings) {
    return (
      <div className="findings-card__loading" aria-busy="true" data-testid="findings-loading">
        <span className="sr-only" role="status">
          {t("findings.loading")}
        </span>
        <Skeleton width="full" />
        <Skeleton width="lg" />
      </div>
    );
  }
  if (findings.length === 0) {
    return (
      <p className="findings-card__empty" data-testid="findings-empty">
        {t("findings.empty")}
      </p>
    );
  }
  return (
    <ul className="findings-list">
      {sortFindings(findings).map((finding, i) => (
        <FindingItem key={`${finding.id}-${finding.cluster}-${String(i)}`} finding={finding} />
      ))}
    </ul>
  );
}

function SeverityCounts({ findings }: { findings: readonly Finding[] }) {
  const { t } = useTranslation();
  const counts = countBySeverity(findings);
  return (
    <span className="findings-card__counts">
      {SEVERITIES.filter((s) => counts[s] > 0).map((s) => (
        <StatusBadge key={s} tone={SEVERITY_TONES[s]}>
          {t(`findings.count.${s}`, { count: counts[s] })}
        </StatusBadge>
      ))}
    </span>
  );
}
