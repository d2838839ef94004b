import { ActionIcon, Badge, Button, Group, NativeSelect, Paper, Progress, Skeleton, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../../components/EmptyState";
import { ErrorPanel } from "../../components/ErrorPanel";
import { ActivityIcon, RefreshIcon } from "../../components/icons";
import { TopBar } from "../../components/TopBar";
import type { RunStatus, RunSummary } from "../../ipc/bindings";
import { useRuns } from "../../ipc/queries";
import { useFormat } from "../../i18n/format";
import { STATUS_COLORS, isResumable } from "../workflows/model";
import { ScriptButton } from "../workflows/ScriptModal";
import { useWorkflowSession } from "../workflows/sessionContext";

const STATUSES: readonly RunStatus[] = ["interrupted", "paused", "blocked", "failed", "cancelled", "planned", "succeeded"];

/** Every run ksmc planned or applied, newest first: filter by status, resume, export. */
export function ActivityScreen() {
  const { t } = useTranslation();
  const runs = useRuns();
  const [status, setStatus] = useState<RunStatus | "all">("all");
  const shown = (runs.data ?? []).filter((r) => status === "all" || r.status === status);
  let body;
  if (runs.data) {
    body =
      runs.data.length === 0 ? (
        <EmptyState icon={<ActivityIcon />} title={t("activity.emptyTitle")}>
          {t("activity.emptyBody")}
        </EmptyState>
      ) : (
        <RunsTable runs={shown} />
      );
  } else if (runs.error) {
    body = <ErrorPanel title={t("activity.errorTitle")} error={runs.error} onRetry={() => void runs.refetch()} />;
  } else {
    body = <Skeleton h={200} />;
  }
  return (
    <>
      <TopBar
        title={t("activity.title")}
        actions={
          <>
            <NativeSelect
              aria-label={t("activity.filter")}
              size="xs"
              data-testid="activity-filter"
              value={status}
              onChange={(e) => {
                setStatus(e.currentTarget.value as RunStatus | "all");
              }}
              data={[
                { value: "all", label: t("activity.all") },
                ...STATUSES.map((s) => ({ value: s, label: t(`workflows.status.${s}`) })),
              ]}
            />
            <Tooltip label={t("topbar.refresh")}>
              <ActionIcon variant="default" size="lg" aria-label={t("topbar.refresh")} loading={runs.isFetching} onClick={() => void runs.refetch()}>
                <RefreshIcon width={18} height={18} />
              </ActionIcon>
            </Tooltip>
          </>
        }
      />
      <Stack gap="lg" p="xl" className="content">
        {body}
      </Stack>
    </>
  );
}

function RunsTable({ runs }: { runs: readonly RunSummary[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const session = useWorkflowSession();
  const busy = session.stage.kind === "running";
  if (runs.length === 0) {
    return (
      <Text c="dimmed" size="sm" data-testid="activity-none">
        {t("activity.noneWithStatus")}
      </Text>
    );
  }
  return (
    <Paper className="section" data-testid="activity-table">
      <Table verticalSpacing="sm" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t("activity.col.status")}</Table.Th>
            <Table.Th scope="col">{t("activity.col.run")}</Table.Th>
            <Table.Th scope="col">{t("activity.col.progress")}</Table.Th>
            <Table.Th scope="col">{t("activity.col.created")}</Table.Th>
            <Table.Th scope="col">
              <span className="sr-only">{t("activity.col.actions")}</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((r) => (
            <Table.Tr key={r.id} data-testid={`run-row-${r.id}`}>
              <Table.Td miw={120}>
                <Badge color={STATUS_COLORS[r.status]} variant="light" data-status={r.status} className="nowrap-badge">
                  {t(`workflows.status.${r.status}`)}
                </Badge>
              </Table.Td>
              <Table.Td maw={460}>
                <Text size="sm" fw={500}>
                  {r.title}
                </Text>
                <Text size="xs" c="dimmed">
                  <Text span ff="monospace" size="xs">
                    {r.id.slice(0, 8)}
                  </Text>{" "}
                  · {r.workflow}
                </Text>
                {r.reason !== null && (
                  <Text size="xs" c="red" data-testid="run-reason">
                    {r.reason}
                  </Text>
                )}
              </Table.Td>
              <Table.Td miw={140}>
                <Progress value={r.stepsTotal === 0 ? 0 : (r.stepsDone / r.stepsTotal) * 100} size="sm" aria-hidden="true" />
                <Text size="xs" c="dimmed" mt={2}>
                  {t("workflows.progress.count", { done: r.stepsDone, total: r.stepsTotal })}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{format.dateTime(r.createdAt)}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  <ScriptButton runId={r.id} compact />
                  {isResumable(r.status) && r.status !== "planned" && (
                    <Button
                      size="compact-xs"
                      disabled={busy}
                      data-testid={`resume-${r.id}`}
                      onClick={() => void session.resume(r.id, r.title)}
                    >
                      {t("workflows.resume")}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
