import { Badge, Button, Group, Loader, Paper, Progress, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { RunProgress, StepProgress } from "./model";

interface RunProgressViewProps {
  title: string;
  progress: RunProgress;
  cancelling: boolean;
  onCancel: () => void;
}

/** Step 3: the run as it goes — phase by phase, step by step, with what a step waits for. */
export function RunProgressView({ title, progress, cancelling, onCancel }: RunProgressViewProps) {
  const { t } = useTranslation();
  const pct = progress.total === 0 ? 0 : Math.round((progress.done / progress.total) * 100);
  return (
    <Paper className="section" p="lg" data-testid="run-progress" aria-busy="true">
      <Stack gap="md">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap" miw={0}>
            <Loader size="sm" />
            <Title order={2} size="h5" lineClamp={1}>
              {title}
            </Title>
          </Group>
          <Button color="red" variant="light" loading={cancelling} onClick={onCancel} data-testid="cancel-run">
            {t("workflows.progress.cancel")}
          </Button>
        </Group>
        <div>
          <Progress value={pct} aria-label={t("workflows.progress.label")} />
          <Text size="xs" c="dimmed" mt={4} role="status" data-testid="progress-count">
            {t("workflows.progress.count", { done: progress.done, total: progress.total })}
            {cancelling && ` · ${t("workflows.progress.cancelling")}`}
          </Text>
        </div>
        {progress.phases.map((phase) => (
          <Stack key={`${String(phase.index)}-${phase.title}`} gap={4} data-testid={`progress-phase-${String(phase.index)}`}>
            <Text size="sm" fw={600}>
              {t("workflows.review.phase", { n: phase.index + 1, title: phase.title })}
            </Text>
            {phase.steps.map((s) => (
              <StepLine key={s.step} step={s} />
            ))}
          </Stack>
        ))}
      </Stack>
    </Paper>
  );
}

function StepLine({ step }: { step: StepProgress }) {
  const { t } = useTranslation();
  const color = step.state === "done" ? "teal" : step.state === "waiting" ? "yellow" : "blue";
  return (
    <Group gap="xs" wrap="nowrap" pl="sm" data-testid={`progress-step-${String(step.step)}`} data-state={step.state}>
      <ThemeIcon size={18} radius="xl" variant="light" color={color} aria-hidden="true">
        {step.state === "done" ? "✓" : step.state === "waiting" ? "…" : "•"}
      </ThemeIcon>
      <Text size="sm">
        {step.step + 1}. {step.title}
      </Text>
      <Badge size="xs" variant="light" color={color}>
        {t(`workflows.progress.state.${step.state}`)}
      </Badge>
      {step.message !== null && (
        <Text size="xs" c="dimmed" truncate="end" data-testid="step-waiting">
          {step.message}
        </Text>
      )}
    </Group>
  );
}
