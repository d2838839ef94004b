import { useTranslation } from "react-i18next";
import { RoleBadge } from "../../components/RoleBadge";
import { Skeleton } from "../../components/Skeleton";
import { StatusBadge } from "../../components/StatusBadge";
import type { AppError, ClusterSummary } from "../../ipc/bindings";
import { errorHintKey, errorKindKey } from "../../ipc/errors";
import { useFormat } from "../../i18n/format";
import { SLOW_LATENCY_MS, displayServer } from "./estate";

const COLUMNS = ["name", "role", "kubernetes", "kubesphere", "namespaces", "latency", "health"] as const;
type Column = (typeof COLUMNS)[number];
const NUMERIC: ReadonlySet<Column> = new Set(["namespaces", "latency"]);

interface ClusterTableProps {
  /** `undefined` while loading: the table shows skeleton rows. */
  clusters: readonly ClusterSummary[] | undefined;
  /** Findings per cluster name, once the fleet has been inspected. */
  findingCounts?: ReadonlyMap<string, number> | undefined;
}

/** Every cluster of the estate, one row each, with the facts read from it. */
export function ClusterTable({ clusters, findingCounts }: ClusterTableProps) {
  const { t } = useTranslation();
  const loading = clusters === undefined;
  return (
    <div className="table-card">
      <table
        className="cluster-table"
        // The e2e suite waits for "cluster-table": only give it that name once rows are real.
        data-testid={loading ? "cluster-table-loading" : "cluster-table"}
        aria-busy={loading}
      >
        <caption className="sr-only">{t("clusters.tableCaption")}</caption>
        <colgroup>
          {COLUMNS.map((column) => (
            <col key={column} className={`col-${column}`} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column} scope="col" className={NUMERIC.has(column) ? "num" : undefined}>
                {t(`clusters.column.${column}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {loading
            ? [0, 1, 2].map((i) => <SkeletonRow key={i} />)
            : clusters.map((cluster) => <ClusterRow key={cluster.name} cluster={cluster} findings={findingCounts?.get(cluster.name) ?? 0} />)}
        </tbody>
      </table>
    </div>
  );
}

function ClusterRow({ cluster, findings }: { cluster: ClusterSummary; findings: number }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { name, error } = cluster;
  // A cluster that could not be read shows the problem, never facts from an older read.
  const facts = error === null ? cluster : null;
  return (
    <tr data-testid={`cluster-row-${name}`} className={error ? "is-error" : undefined}>
      <th scope="row" className="cell-name">
        <span className="cluster-name">
          {name}
          {findings > 0 && (
            <span className="finding-count" data-testid={`finding-count-${name}`}>
              {t("clusters.findingCount", { count: findings })}
            </span>
          )}
        </span>
        <span className="cluster-server" title={cluster.server}>
          {displayServer(cluster.server)}
        </span>
      </th>
      <td data-testid={`role-${name}`}>
        <RoleBadge role={cluster.role} />
      </td>
      <td data-testid={`k8s-version-${name}`} className="mono">
        {facts?.kubernetesVersion ?? <Missing />}
      </td>
      <td data-testid={`ks-version-${name}`} className="mono">
        {facts === null ? (
          <Missing />
        ) : (
          (facts.kubesphereVersion ?? <span className="not-installed">{t("clusters.notInstalled")}</span>)
        )}
      </td>
      <td data-testid={`ns-count-${name}`} className="num">
        {facts?.namespaceCount != null ? format.integer(facts.namespaceCount) : <Missing />}
      </td>
      <td data-testid={`latency-${name}`} className="num">
        {facts?.latencyMs != null ? (
          <span className={facts.latencyMs >= SLOW_LATENCY_MS ? "latency is-slow" : "latency"}>
            {t("clusters.latencyValue", { value: format.integer(facts.latencyMs) })}
          </span>
        ) : (
          <Missing />
        )}
      </td>
      <td data-testid={`health-${name}`} className="cell-health">
        {error ? <HealthError error={error} /> : (
          <StatusBadge tone="success" dot>
            {t("clusters.ok")}
          </StatusBadge>
        )}
      </td>
    </tr>
  );
}

function HealthError({ error }: { error: AppError }) {
  const { t } = useTranslation();
  const hint = t(errorHintKey(error.kind));
  const status = error.status === null ? "" : ` (${t("errors.status", { status: error.status })})`;
  return (
    <div className="health-error">
      <StatusBadge tone="danger" dot title={`${hint}${status}`}>
        {t(errorKindKey(error.kind))}
      </StatusBadge>
      <span className="health-error__message" title={error.message}>
        {error.message}
      </span>
    </div>
  );
}

/** An empty cell: a dash for the eye, words for screen readers. */
function Missing() {
  const { t } = useTranslation();
  return (
    <>
      <span className="dash" aria-hidden="true">
        —
      </span>
      <span className="sr-only">{t("clusters.notAvailable")}</span>
    </>
  );
}

function SkeletonRow() {
  return (
    <tr className="skeleton-row" aria-hidden="true">
      <td>
        <Skeleton width="md" />
        <Skeleton width="lg" />
      </td>
      <td>
        <Skeleton width="sm" />
      </td>
      <td>
        <Skeleton width="sm" />
      </td>
      <td>
        <Skeleton width="sm" />
      </td>
      <td className="num">
        <Skeleton width="xs" />
      </td>
      <td className="num">
        <Skeleton width="xs" />
      </td>
      <td>
        <Skeleton width="sm" />
      </td>
    </tr>
  );
}
