import { Alert, Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { StatCard } from "../../components/StatCard";
import type { RunReport } from "../../ipc/bindings";
import { STATUS_COLORS, isResumable, type RunProgress } from "./model";
import { ScriptButton } from "./ScriptModal";

interface RunReportCardProps {
  title: string;
  report: RunReport;
  progress: RunProgress;
  onResume: () => void;
  onDone: () => void;
}

/** Step 4: how the run ended, what it kept, and why it stopped if it did. */
export function RunReportCard({ title, report, progress, onResume, onDone }: RunReportCardProps) {
  const { t } = useTranslation();
  const ok = report.status === "succeeded";
  const waited = progress.phases.flatMap((p) => p.steps).length;
  return (
    <Paper className="section" p="lg" data-testid="run-report">
      <Stack gap="md">
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h5">
            {title}
          </Title>
          <Badge size="lg" color={STATUS_COLORS[report.status]} data-testid="report-status" data-status={report.status}>
            {t(`workflows.status.${report.status}`)}
          </Badge>
        </Group>
        <Alert color={ok ? "teal" : STATUS_COLORS[report.status]} variant="light" data-testid="report-summary">
          <Text size="sm">{t(`workflows.report.meaning.${report.status}`)}</Text>
          {report.reason !== null && (
            <Text size="sm" mt={4} data-testid="report-reason">
              <strong>{t("workflows.report.reason")}</strong>{" "}
              {report.stepTitle !== null && report.step !== null && `${String(report.step + 1)}. ${report.stepTitle}: `}
              {report.reason}
            </Text>
          )}
        </Alert>
        {report.notes !== undefined && report.notes.length > 0 && (
          // What steps found and left alone, e.g. a project role that differs from the snapshot.
          <Alert color="yellow" variant="light" title={t("workflows.report.notes")} data-testid="report-notes">
            <Stack gap={4}>
              {report.notes.map((note) => (
                <Text size="sm" key={note}>
                  {note}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <StatCard label={t("workflows.report.steps")} value={`${String(report.stepsDone)}/${String(report.stepsTotal)}`} />
          <StatCard label={t("workflows.report.kept")} value={String(report.kept)} />
          <StatCard label={t("workflows.report.writes")} value={String(report.writes)} />
          <StatCard label={t("workflows.report.seen")} value={String(waited)} />
        </SimpleGrid>
        <Text size="xs" c="dimmed" ff="monospace" data-testid="report-kept">
          {t("workflows.report.inventory", { count: report.kept, hash: report.inventoryHash.slice(0, 16) })}
        </Text>
        <Group justify="space-between">
          <ScriptButton runId={report.runId} />
          <Group gap="xs">
            {isResumable(report.status) && (
              <Button variant="light" onClick={onResume} data-testid="report-resume">
                {t("workflows.resume")}
              </Button>
            )}
            <Button onClick={onDone} data-testid="report-done">
              {t("workflows.report.done")}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
