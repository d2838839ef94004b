import { SimpleGrid, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { StatCard } from "../../components/StatCard";
import type { ClusterFacts } from "../../ipc/bindings";
import { useFormat } from "../../i18n/format";
import { summarize } from "./model";

/** The strip of numbers above the picture: clusters, hosts, members, projects. */
export function EstateSummary({ clusters }: { clusters: readonly ClusterFacts[] | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const loading = clusters === undefined;
  const stats = summarize(clusters ?? []);
  const allReachable = stats.reachable === stats.clusters;
  return (
    <SimpleGrid cols={4} spacing="md" aria-label={t("summary.label")} aria-busy={loading} role="group">
      <StatCard
        label={t("summary.clusters")}
        value={format.integer(stats.clusters)}
        hint={
          <Text span size="xs" c={allReachable ? "dimmed" : "red"}>
            {t("summary.healthy", {
              healthy: format.integer(stats.reachable),
              total: format.integer(stats.clusters),
            })}
          </Text>
        }
        loading={loading}
        data-testid="stat-clusters"
      />
      <StatCard label={t("summary.hosts")} value={format.integer(stats.hosts)} loading={loading} data-testid="stat-hosts" />
      <StatCard
        label={t("summary.members")}
        value={format.integer(stats.members)}
        loading={loading}
        data-testid="stat-members"
      />
      <StatCard
        label={t("summary.projects")}
        value={format.integer(stats.projects)}
        hint={t("summary.projectsHint", { workspaces: format.integer(stats.workspaces) })}
        loading={loading}
        data-testid="stat-projects"
      />
    </SimpleGrid>
  );
}
