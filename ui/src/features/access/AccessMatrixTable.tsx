import { Badge, Group, Paper, Table, Text, TextInput, Title, Tooltip } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { RoleBadge } from "../../components/RoleBadge";
import { SearchIcon } from "../../components/icons";
import type { AccessCell, AccessCluster, AccessMatrix } from "../../ipc/bindings";
import { cellView, reachCounts } from "./model";

/** Rows shown at once; a filter narrows larger estates. */
export const MAX_ROWS = 200;

interface AccessMatrixTableProps {
  host: string;
  matrix: AccessMatrix;
}

/** One host's users × the clusters it manages: who reaches which cluster, and why. */
export function AccessMatrixTable({ host, matrix }: AccessMatrixTableProps) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState("");
  const counts = reachCounts(matrix);
  const needle = filter.trim().toLowerCase();
  const matching = matrix.users.filter((u) => needle === "" || u.user.toLowerCase().includes(needle));
  const rows = matching.slice(0, MAX_ROWS);
  return (
    <Paper className="section" component="section" aria-label={t("access.matrixOf", { host })} data-testid={`access-matrix-${host}`}>
      <Group justify="space-between" px="md" py="sm" className="section__header" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Title order={2} size="h5">
            {t("access.matrixOf", { host })}
          </Title>
          <RoleBadge role="host" size="xs" />
          <Text size="xs" c="dimmed">
            {t("access.usersCount", { count: matrix.users.length })} · {t("access.clustersCount", { count: matrix.clusters.length })}
          </Text>
        </Group>
        <TextInput
          size="xs"
          w={220}
          leftSection={<SearchIcon width={14} height={14} />}
          placeholder={t("access.filter")}
          aria-label={t("access.filter")}
          value={filter}
          onChange={(e) => {
            setFilter(e.currentTarget.value);
          }}
        />
      </Group>
      <Table.ScrollContainer minWidth={480}>
        <Table withRowBorders striped="odd" highlightOnHover className="access-matrix" title={matrix.source}>
          <Table.Caption className="sr-only">{t("access.caption", { host })}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("access.user")}</Table.Th>
              {matrix.clusters.map((c, i) => (
                <Table.Th key={c.name} scope="col" data-testid={`access-column-${c.name}`}>
                  <ColumnHeader cluster={c} reached={counts[i] ?? 0} />
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((u) => (
              <Table.Tr key={u.user} data-testid={`access-row-${u.user}`}>
                <Table.Th scope="row" fw={500}>
                  <Text size="sm" ff="monospace">
                    {u.user}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {u.platformRoles.length > 0 ? u.platformRoles.join(", ") : t("access.noPlatformRole")}
                  </Text>
                </Table.Th>
                {matrix.clusters.map((c, i) => {
                  const cell = u.cells[i];
                  return (
                    <Table.Td key={c.name} data-testid={`access-cell-${u.user}-${c.name}`}>
                      {cell && <Cell cell={cell} user={u.user} cluster={c.name} />}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {matching.length > rows.length && (
        <Text size="xs" c="dimmed" px="md" py="xs">
          {t("access.truncated", { shown: rows.length, total: matching.length })}
        </Text>
      )}
      {matching.length === 0 && (
        <Text size="sm" c="dimmed" px="md" py="sm">
          {t("access.noUsers")}
        </Text>
      )}
    </Paper>
  );
}

function ColumnHeader({ cluster, reached }: { cluster: AccessCluster; reached: number }) {
  const { t } = useTranslation();
  return (
    <Group gap={4} wrap="nowrap">
      <Text size="sm" fw={600} ff="monospace">
        {cluster.name}
      </Text>
      {cluster.isHost && <RoleBadge role="host" size="xs" />}
      {cluster.estateName !== null && cluster.estateName !== cluster.name && (
        <Text size="xs" c="dimmed" ff="monospace">
          ({cluster.estateName})
        </Text>
      )}
      <Tooltip label={cluster.estateName === null ? t("access.notInEstate") : t("access.estateName", { name: cluster.estateName })}>
        <Text size="xs" c="dimmed">
          {t("access.reached", { count: reached })}
        </Text>
      </Tooltip>
    </Group>
  );
}

function Cell({ cell, user, cluster }: { cell: AccessCell; user: string; cluster: string }) {
  const { t } = useTranslation();
  const view = cellView(cell);
  if (view.kind === "none") {
    return (
      <Text size="sm" c="dimmed" aria-label={t("access.cell.none", { user, cluster })}>
        —
      </Text>
    );
  }
  return (
    <Group gap={4} aria-label={t("access.cell.reached", { user, cluster })}>
      {cell.platformRole !== null && (
        <Tooltip label={t("access.cell.platformHint")}>
          <Badge size="sm" color="ks" variant="light" tt="none">
            {cell.platformRole}
          </Badge>
        </Tooltip>
      )}
      {cell.workspaces.map((m) => (
        <Badge key={`${m.workspace}-${m.role}`} size="sm" color="blue" variant="light" tt="none">
          {t("access.cell.workspace", { workspace: m.workspace, role: m.role })}
        </Badge>
      ))}
      {view.notSynced && (
        <Tooltip label={t("access.cell.notSyncedHint")}>
          <Badge size="sm" color="orange" variant="outline" tt="none" data-testid="not-synced">
            {t("access.cell.notSynced")}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}
