import { Code, Paper, Table, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Missing } from "../../components/Missing";
import type { ClusterFacts, ClusterRole } from "../../ipc/bindings";
import { useFormat } from "../../i18n/format";

interface FactRow {
  key: string;
  label: string;
  value: ReactNode;
  source: string | null;
}

/** Every fact about the cluster with where it was read, as KubeSphere's own objects say it. */
export function FactsCard({ cluster }: { cluster: ClusterFacts }) {
  const { t } = useTranslation();
  const rows = useFactRows(cluster);
  return (
    <Paper component="section" aria-labelledby="facts-title" className="section">
      <Title order={2} size="h5" px="md" py="sm" id="facts-title" className="section__header">
        {t("detail.facts.title")}
      </Title>
      <Table data-testid="facts-table" className="facts-table">
        <Table.Caption className="sr-only">{t("detail.facts.caption")}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w="20%">{t("detail.facts.fact")}</Table.Th>
            <Table.Th w="36%">{t("detail.facts.value")}</Table.Th>
            <Table.Th>{t("detail.facts.source")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.key} data-testid={`fact-${row.key}`}>
              <Table.Th scope="row" fw={400} c="dimmed" fz="sm">
                {row.label}
              </Table.Th>
              <Table.Td fz="sm" className="fact-value">
                {row.value}
              </Table.Td>
              <Table.Td>
                {row.source !== null ? (
                  <Code className="fact-source" data-testid="fact-source">
                    {row.source}
                  </Code>
                ) : (
                  <Missing />
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

function useFactRows(cluster: ClusterFacts): FactRow[] {
  const { t } = useTranslation();
  const format = useFormat();
  const mono = (text: string | null | undefined) =>
    text === null || text === undefined ? <Missing /> : <Text span ff="monospace" size="sm">{text}</Text>;
  const role = (r: ClusterRole) => t(`clusters.role.${r}`);
  const yesNo = (b: boolean) => (b ? t("detail.facts.yes") : t("detail.facts.no"));
  const ks = cluster.kubesphere;
  const effective = ks?.effective ?? null;
  const rows: FactRow[] = [
    { key: "server", label: t("detail.facts.server"), value: mono(cluster.server), source: t("detail.facts.kubeconfig") },
    {
      key: "latency",
      label: t("detail.facts.latency"),
      value: cluster.latencyMs === null ? <Missing /> : t("clusters.latencyValue", { value: format.integer(cluster.latencyMs) }),
      source: cluster.kubernetesVersion?.source ?? null,
    },
    {
      key: "kubernetes",
      label: t("detail.facts.kubernetes"),
      value: mono(cluster.kubernetesVersion?.value),
      source: cluster.kubernetesVersion?.source ?? null,
    },
    {
      key: "uid",
      label: t("detail.facts.uid"),
      value: mono(cluster.kubeSystemUid?.value),
      source: cluster.kubeSystemUid?.source ?? null,
    },
    {
      key: "kubesphere",
      label: t("detail.facts.kubesphere"),
      value: ks ? mono(ks.version?.value) : <Text span size="sm" c="dimmed" fs="italic">{t("clusters.notInstalled")}</Text>,
      source: ks?.version?.source ?? null,
    },
  ];
  if (ks?.configuredRole) {
    rows.push({
      key: "configured-role",
      label: t("detail.facts.configuredRole"),
      value: role(ks.configuredRole.value),
      source: ks.configuredRole.source,
    });
  }
  if (ks && ks.configuredJwtFingerprint !== null) {
    rows.push({ key: "configured-jwt", label: t("detail.facts.configuredJwt"), value: mono(ks.configuredJwtFingerprint), source: ks.configuredRole?.source ?? null });
  }
  if (effective) {
    const src = effective.source;
    rows.push(
      { key: "effective-role", label: t("detail.facts.effectiveRole"), value: role(effective.clusterRole), source: src },
      { key: "multicluster", label: t("detail.facts.multicluster"), value: yesNo(effective.multiclusterEnabled), source: src },
      { key: "jwt", label: t("detail.facts.jwt"), value: effective.jwtFingerprint === null ? t("detail.facts.none") : mono(effective.jwtFingerprint), source: src },
      {
        key: "token-max-age",
        label: t("detail.facts.tokenMaxAge"),
        value: effective.accessTokenMaxAge === null ? t("detail.facts.defaultTokenMaxAge") : mono(effective.accessTokenMaxAge),
        source: src,
      },
      { key: "recorded-name", label: t("detail.facts.recordedName"), value: effective.recordedName === null ? t("detail.facts.none") : mono(effective.recordedName), source: src },
    );
    if (effective.hostClusterName !== null) {
      rows.push({ key: "host-cluster-name", label: t("detail.facts.hostClusterName"), value: mono(effective.hostClusterName), source: src });
    }
  }
  return rows;
}
