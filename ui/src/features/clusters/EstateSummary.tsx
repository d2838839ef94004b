import { useTranslation } from "react-i18next";
import { StatCard } from "../../components/StatCard";
import type { ClusterSummary } from "../../ipc/bindings";
import { useFormat } from "../../i18n/format";
import { summarize } from "./estate";

/** The strip of numbers above the table: clusters, hosts, members, namespaces. */
export function EstateSummary({ clusters }: { clusters: readonly ClusterSummary[] | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const loading = clusters === undefined;
  const stats = summarize(clusters ?? []);
  const allReachable = stats.reachable === stats.clusters;
  return (
    <dl className="summary" aria-label={t("summary.label")} aria-busy={loading}>
      <StatCard
        label={t("summary.clusters")}
        value={format.integer(stats.clusters)}
        hint={
          <span className={allReachable ? undefined : "text-danger"}>
            {t("summary.healthy", {
              healthy: format.integer(stats.reachable),
              total: format.integer(stats.clusters),
            })}
          </span>
        }
        loading={loading}
        data-testid="stat-clusters"
      />
      <StatCard
        label={t("summary.hosts")}
        value={format.integer(stats.hosts)}
        loading={loading}
        data-testid="stat-hosts"
      />
      <StatCard
        label={t("summary.members")}
        value={format.integer(stats.members)}
        loading={loading}
        data-testid="stat-members"
      />
      <StatCard
        label={t("summary.namespaces")}
        value={format.integer(stats.namespaces)}
        hint={t("summary.namespacesHint")}
        loading={loading}
        data-testid="stat-namespaces"
      />
    </dl>
  );
}
