import { Badge, Button, Group, Paper, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { RoleBadge } from "../../components/RoleBadge";
import { APP_STORE, type ComponentCell, type ComponentMatrix, type ComponentRow, cellState, offersEnable } from "./model";

const COLORS = { active: "ks", installing: "yellow", leftover: "orange", failed: "red", off: "gray" } as const;

interface ComponentMatrixTableProps {
  matrix: ComponentMatrix;
  /** Starts the enable action for a row; absent while a run is going. */
  onEnable?: (row: ComponentRow) => void;
}

/** Components × clusters: configured, installed and active per cell, and why a cell is off-limits. */
export function ComponentMatrixTable({ matrix, onEnable }: ComponentMatrixTableProps) {
  const { t } = useTranslation();
  return (
    <Paper className="section" component="section" aria-label={t("components.matrix")} data-testid="components-matrix">
      <Table.ScrollContainer minWidth={520}>
        <Table withRowBorders highlightOnHover>
          <Table.Caption className="sr-only">{t("components.caption")}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("components.component")}</Table.Th>
              {matrix.clusters.map((c) => (
                <Table.Th key={c.name} scope="col" data-testid={`components-column-${c.name}`}>
                  <Group gap={4} wrap="nowrap">
                    <Text size="sm" fw={600} ff="monospace">
                      {c.name}
                    </Text>
                    {c.host && <RoleBadge role="host" size="xs" />}
                    {c.generation && (
                      <Text size="xs" c="dimmed">
                        {c.generation}
                      </Text>
                    )}
                  </Group>
                </Table.Th>
              ))}
              <Table.Th scope="col">
                <span className="sr-only">{t("components.actions")}</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {matrix.rows.map((row) => (
              <Row key={`${row.extension ? `ext-${row.host ?? ""}` : "cc"}-${row.name}`} row={row} matrix={matrix} onEnable={onEnable} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

function Row({ row, matrix, onEnable }: { row: ComponentRow; matrix: ComponentMatrix; onEnable?: (row: ComponentRow) => void }) {
  const { t } = useTranslation();
  const label = row.name === APP_STORE ? t("components.appStore") : row.name;
  const open = row.cells.some((c) => c.disabled === null && !c.configured);
  return (
    <Table.Tr data-testid={`components-row-${row.name}`}>
      <Table.Th scope="row" fw={500}>
        <Stack gap={0}>
          <Text size="sm" ff={row.name === APP_STORE ? undefined : "monospace"}>
            {label}
          </Text>
          <Text size="xs" c="dimmed">
            {row.extension ? t("components.extension") : row.name === APP_STORE ? t("components.appStoreRule") : t("components.ccComponent")}
          </Text>
        </Stack>
      </Table.Th>
      {row.cells.map((cell, i) => {
        const cluster = matrix.clusters[i]?.name ?? "";
        return (
          <Table.Td key={cluster} data-testid={`components-cell-${row.name}-${cluster}`} data-disabled={cell.disabled ?? undefined}>
            <Cell cell={cell} />
          </Table.Td>
        );
      })}
      <Table.Td>
        {offersEnable(row) && onEnable && (
          <Button
            size="compact-xs"
            variant="default"
            disabled={!open}
            onClick={() => { onEnable(row); }}
            data-testid={row.extension ? `components-enable-ext-${row.host ?? ""}-${row.name}` : `components-enable-${row.name}`}
          >
            {t("components.enable")}
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function Cell({ cell }: { cell: ComponentCell }) {
  const { t } = useTranslation();
  const state = cellState(cell);
  const yes = (b: boolean) => (b ? t("detail.facts.yes") : t("detail.facts.no"));
  const facts = t("components.cellFacts", { configured: yes(cell.configured), installed: yes(cell.installed), active: yes(cell.active) });
  const reason = cell.disabled && cell.disabled !== "notEnableable" ? t(`components.reason.${cell.disabled}`) : null;
  const tip = [facts, cell.state, reason].filter(Boolean).join(" · ");
  return (
    <Tooltip label={tip} multiline w={280}>
      <Stack gap={2} align="flex-start" aria-label={tip} opacity={cell.disabled === "appStoreHostOnly" ? 0.55 : undefined}>
        <Badge size="sm" variant="dot" color={COLORS[state]} tt="none">
          {t(`components.state.${state}`)}
        </Badge>
        {cell.disabled === "appStoreHostOnly" && (
          <Text size="xs" c="dimmed" data-testid="app-store-rule">
            {t("components.reason.appStoreShort")}
          </Text>
        )}
      </Stack>
    </Tooltip>
  );
}
