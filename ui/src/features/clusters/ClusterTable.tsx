import { Anchor, Badge, Group, Skeleton, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Missing } from "../../components/Missing";
import { RoleBadge } from "../../components/RoleBadge";
import type { AppError, ClusterFacts } from "../../ipc/bindings";
import { errorHintKey, errorKindKey } from "../../ipc/errors";
import { useFormat } from "../../i18n/format";
import { SLOW_LATENCY_MS, displayServer, kubesphereVersion, projectCount, roleOf } from "./model";

const COLUMNS = ["name", "role", "kubernetes", "kubesphere", "projects", "latency", "health"] as const;
type Column = (typeof COLUMNS)[number];
const NUMERIC: ReadonlySet<Column> = new Set(["projects", "latency"]);

interface ClusterTableProps {
  /** `undefined` while loading: the table shows skeleton rows. */
  clusters: readonly ClusterFacts[] | undefined;
  /** Findings per cluster name. */
  findingCounts?: ReadonlyMap<string, number> | undefined;
  onOpen?: (name: string) => void;
}

/** Every cluster of the estate, one row each, with the facts read from it. */
export function ClusterTable({ clusters, findingCounts, onOpen }: ClusterTableProps) {
  const { t } = useTranslation();
  const loading = clusters === undefined;
  return (
    <Table
      highlightOnHover={!loading}
      // The e2e suite waits for "cluster-table": only give it that name once rows are real.
      data-testid={loading ? "cluster-table-loading" : "cluster-table"}
      aria-busy={loading}
      className="cluster-table"
    >
      <Table.Caption className="sr-only">{t("clusters.tableCaption")}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          {COLUMNS.map((column) => (
            <Table.Th key={column} scope="col" ta={NUMERIC.has(column) ? "right" : undefined}>
              {t(`clusters.column.${column}`)}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {loading
          ? [0, 1, 2].map((i) => <SkeletonRow key={i} />)
          : clusters.map((cluster) => (
              <ClusterRow
                key={cluster.name}
                cluster={cluster}
                findings={findingCounts?.get(cluster.name) ?? 0}
                onOpen={onOpen}
              />
            ))}
      </Table.Tbody>
    </Table>
  );
}

interface ClusterRowProps {
  cluster: ClusterFacts;
  findings: number;
  onOpen: ((name: string) => void) | undefined;
}

function ClusterRow({ cluster, findings, onOpen }: ClusterRowProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const { name, error } = cluster;
  // A cluster that could not be read shows the problem, never facts from an older read.
  const facts = error === null ? cluster : null;
  const projects = facts ? projectCount(facts) : null;
  return (
    <Table.Tr
      data-testid={`cluster-row-${name}`}
      className={error ? "cluster-row is-error" : "cluster-row"}
      onClick={onOpen ? () => { onOpen(name); } : undefined}
    >
      <Table.Th scope="row" fw={400}>
        <Stack gap={0}>
          <Group gap="xs" wrap="nowrap">
            {onOpen ? (
              <Anchor
                component="button"
                type="button"
                fw={600}
                size="sm"
                c="var(--mantine-color-text)"
                aria-label={t("clusters.openDetails", { name })}
                data-testid={`open-cluster-${name}`}
                onClick={(event) => {
                  event.stopPropagation();
                  onOpen(name);
                }}
              >
                {name}
              </Anchor>
            ) : (
              <Text fw={600} size="sm">
                {name}
              </Text>
            )}
            {findings > 0 && (
              <Badge size="xs" color="orange" variant="light" data-testid={`finding-count-${name}`}>
                {t("clusters.findingCount", { count: findings })}
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed" ff="monospace" title={cluster.server}>
            {displayServer(cluster.server)}
          </Text>
        </Stack>
      </Table.Th>
      <Table.Td data-testid={`role-${name}`}>
        <RoleBadge role={roleOf(cluster)} />
      </Table.Td>
      <Table.Td data-testid={`k8s-version-${name}`} ff="monospace" fz="sm">
        {facts?.kubernetesVersion?.value ?? <Missing />}
      </Table.Td>
      <Table.Td data-testid={`ks-version-${name}`} ff="monospace" fz="sm">
        {facts === null ? (
          <Missing />
        ) : (
          (kubesphereVersion(facts) ?? (
            <Text span size="sm" c="dimmed" fs="italic">
              {t("clusters.notInstalled")}
            </Text>
          ))
        )}
      </Table.Td>
      <Table.Td data-testid={`projects-${name}`} ta="right" className="num">
        {projects !== null ? format.integer(projects) : <Missing />}
      </Table.Td>
      <Table.Td data-testid={`latency-${name}`} ta="right" className="num">
        {facts?.latencyMs != null ? (
          <Text span size="sm" c={facts.latencyMs >= SLOW_LATENCY_MS ? "orange" : undefined} className={facts.latencyMs >= SLOW_LATENCY_MS ? "is-slow" : undefined}>
            {t("clusters.latencyValue", { value: format.integer(facts.latencyMs) })}
          </Text>
        ) : (
          <Missing />
        )}
      </Table.Td>
      <Table.Td data-testid={`health-${name}`}>
        <Health cluster={cluster} />
      </Table.Td>
    </Table.Tr>
  );
}

function Health({ cluster }: { cluster: ClusterFacts }) {
  const { t } = useTranslation();
  if (cluster.error) return <HealthError error={cluster.error} />;
  const partial = cluster.factErrors.length;
  if (partial > 0) {
    return (
      <Tooltip label={t("clusters.partialHint", { count: partial })}>
        <Badge color="yellow" variant="dot">
          {t("clusters.partial")}
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Badge color="ks" variant="dot">
      {t("clusters.ok")}
    </Badge>
  );
}

function HealthError({ error }: { error: AppError }) {
  const { t } = useTranslation();
  const hint = t(errorHintKey(error.kind));
  const status = error.status === null ? "" : ` (${t("errors.status", { status: error.status })})`;
  return (
    <Stack gap={2} className="health-error">
      <Tooltip label={`${hint}${status}`}>
        <Badge color="red" variant="dot">
          {t(errorKindKey(error.kind))}
        </Badge>
      </Tooltip>
      <Text size="xs" c="dimmed" lineClamp={2} title={error.message}>
        {error.message}
      </Text>
    </Stack>
  );
}

function SkeletonRow() {
  return (
    <Table.Tr aria-hidden="true">
      <Table.Td>
        <Skeleton h={12} w={120} mb={6} />
        <Skeleton h={10} w={160} />
      </Table.Td>
      {[60, 60, 60, 30, 30, 50].map((w, i) => (
        <Table.Td key={i}>
          <Skeleton h={12} w={w} />
        </Table.Td>
      ))}
    </Table.Tr>
  );
}
