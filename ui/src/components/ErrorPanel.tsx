import { useTranslation } from "react-i18next";
import type { AppError } from "../ipc/bindings";
import { errorHintKey, errorKindKey } from "../ipc/errors";
import { AlertIcon, RefreshIcon } from "./icons";

interface ErrorPanelProps {
  title: string;
  error: AppError;
  onRetry?: () => void;
  retrying?: boolean;
}

/** A failed load: what failed, why (kind, message, HTTP status), and a way to try again. */
export function ErrorPanel({ title, error, onRetry, retrying = false }: ErrorPanelProps) {
  const { t } = useTranslation();
  return (
    <section className="error-panel" role="alert" aria-labelledby="error-panel-title" data-testid="error-panel">
      <div className="error-panel__icon">
        <AlertIcon />
      </div>
      <div className="error-panel__content">
        <h2 id="error-panel-title" className="error-panel__title">
          {title}
        </h2>
        <p className="error-panel__kind">
          <span className="error-panel__kind-label">{t(errorKindKey(error.kind))}</span>
          {error.status !== null && (
            <span className="error-panel__status">{t("errors.status", { status: error.status })}</span>
          )}
        </p>
        <p className="error-panel__message">{error.message}</p>
        <p className="error-panel__hint">{t(errorHintKey(error.kind))}</p>
        {onRetry && (
          <button type="button" className="button button--primary" onClick={onRetry} disabled={retrying}>
            <RefreshIcon className={retrying ? "icon spin" : "icon"} />
            {t("estate.retry")}
          </button>
        )}
      </div>
    </section>
  );
}
