import { useTranslation } from "react-i18next";
import { EmptyState } from "../../components/EmptyState";
import { ErrorPanel } from "../../components/ErrorPanel";
import { IconButton } from "../../components/IconButton";
import { LanguageSwitch } from "../../components/LanguageSwitch";
import { Skeleton } from "../../components/Skeleton";
import { StatusBadge } from "../../components/StatusBadge";
import { TopBar } from "../../components/TopBar";
import { AlertIcon, FlaskIcon, FolderIcon, RefreshIcon, ServerIcon } from "../../components/icons";
import type { EstateView } from "../../ipc/bindings";
import { errorKindKey } from "../../ipc/errors";
import { useEstate, useFleet } from "../../ipc/queries";
import { useFormat } from "../../i18n/format";
import { FindingsPanel } from "../fleet/FindingsPanel";
import { countByCluster } from "../fleet/findings";
import { ClusterTable } from "./ClusterTable";
import { EstateSummary } from "./EstateSummary";

/** The first screen: every cluster of the open estate at a glance. */
export function EstateScreen() {
  const { t } = useTranslation();
  const format = useFormat();
  const estate = useEstate();
  const fleet = useFleet();
  const { data, error, isFetching, dataUpdatedAt } = estate;
  const refetch = () => {
    void estate.refetch();
    void fleet.refetch();
  };
  const findings = fleet.data?.findings;

  const actions = (
    <>
      {data && (
        <span className="topbar__updated" aria-live="polite">
          {isFetching ? t("topbar.refreshing") : t("topbar.updatedAt", { time: format.time(dataUpdatedAt) })}
        </span>
      )}
      <IconButton
        label={t("topbar.refresh")}
        icon={<RefreshIcon className={isFetching ? "icon spin" : "icon"} />}
        onClick={refetch}
        busy={isFetching}
      />
      <LanguageSwitch />
    </>
  );

  let body;
  if (data) {
    body = (
      <>
        {error && (
          // Keep showing what we had, but say that the last refresh failed.
          <p className="inline-alert" role="status" data-testid="refresh-error">
            <AlertIcon />
            <span>
              <strong>{t(errorKindKey(error.kind))}</strong> · {error.message}
            </span>
          </p>
        )}
        {data.source === "demo" && (
          <p className="demo-note">
            <FlaskIcon />
            <span>{t("estate.demoHint")}</span>
          </p>
        )}
        {data.clusters.length === 0 ? (
          <EmptyState
            icon={<ServerIcon />}
            title={t("estate.emptyTitle")}
            action={
              <button type="button" className="button button--secondary" onClick={refetch} disabled={isFetching}>
                <RefreshIcon className={isFetching ? "icon spin" : "icon"} />
                {t("topbar.refresh")}
              </button>
            }
          >
            {t("estate.emptyBody")}
          </EmptyState>
        ) : (
          <>
            <EstateSummary clusters={data.clusters} />
            <ClusterTable
              clusters={data.clusters}
              findingCounts={findings ? countByCluster(findings) : undefined}
            />
            <FindingsPanel
              findings={findings}
              error={fleet.error}
              onRetry={() => void fleet.refetch()}
              retrying={fleet.isFetching}
            />
          </>
        )}
      </>
    );
  } else if (error) {
    body = <ErrorPanel title={t("estate.errorTitle")} error={error} onRetry={refetch} retrying={isFetching} />;
  } else {
    body = (
      <div className="loading" aria-busy="true">
        <span className="sr-only" role="status">
          {t("estate.loading")}
        </span>
        <EstateSummary clusters={undefined} />
        <ClusterTable clusters={undefined} />
      </div>
    );
  }

  return (
    <>
      <TopBar
        title={t("estate.title")}
        context={data ? <SourceLabel estate={data} /> : error ? undefined : <Skeleton width="lg" />}
        actions={actions}
      />
      <div className="content">{body}</div>
    </>
  );
}

/** Where the clusters come from. The demo estate is flagged loudly: it is not real. */
function SourceLabel({ estate }: { estate: EstateView }) {
  const { t } = useTranslation();
  if (estate.source === "demo") {
    return (
      <>
        <StatusBadge tone="demo" title={t("estate.demoHint")} data-testid="demo-badge">
          {t("estate.demoBadge")}
        </StatusBadge>
        <span className="topbar__label">{estate.label}</span>
      </>
    );
  }
  return (
    <span className="topbar__label topbar__label--path" title={t("estate.directoryHint")}>
      <FolderIcon />
      <span className="sr-only">{t("estate.directory")}: </span>
      <span className="mono">{estate.label}</span>
    </span>
  );
}
