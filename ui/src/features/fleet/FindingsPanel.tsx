import { Badge, Group, Paper, Skeleton, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Finding } from "../../ipc/bindings";
import { FindingItem } from "./FindingItem";
import { SEVERITIES, SEVERITY_COLORS, countBySeverity, sortFindings } from "./findings";

/** The "Findings" card: what is wrong in the estate, most severe first, each with its fix. */
export function FindingsPanel({ findings }: { findings: readonly Finding[] | undefined }) {
  const { t } = useTranslation();
  return (
    <Paper component="section" aria-labelledby="findings-title" data-testid="findings" className="section">
      <Group justify="space-between" px="md" py="sm" className="section__header">
        <Title order={2} size="h5" id="findings-title">
          {t("findings.title")}
        </Title>
        {findings && findings.length > 0 && <SeverityCounts findings={findings} />}
      </Group>
      <FindingsBody findings={findings} />
    </Paper>
  );
}

function FindingsBody({ findings }: { findings: readonly Finding[] | undefined }) {
  const { t } = useTranslation();
  if (!findings) {
    return (
      <Stack p="md" gap="xs" aria-busy="true" data-testid="findings-loading">
        <span className="sr-only" role="status">
          {t("findings.loading")}
        </span>
        <Skeleton h={12} />
        <Skeleton h={12} w="70%" />
      </Stack>
    );
  }
  if (findings.length === 0) {
    return (
      <Text p="md" size="sm" c="dimmed" data-testid="findings-empty">
        {t("findings.empty")}
      </Text>
    );
  }
  return (
    <ul className="findings-list">
      {sortFindings(findings).map((finding, i) => (
        <FindingItem key={`${finding.id}-${finding.cluster}-${String(i)}`} finding={finding} />
      ))}
    </ul>
  );
}

function SeverityCounts({ findings }: { findings: readonly Finding[] }) {
  const { t } = useTranslation();
  const counts = countBySeverity(findings);
  return (
    <Group gap={6}>
      {SEVERITIES.filter((s) => counts[s] > 0).map((s) => (
        <Badge key={s} color={SEVERITY_COLORS[s]} variant="light">
          {t(`findings.count.${s}`, { count: counts[s] })}
        </Badge>
      ))}
    </Group>
  );
}
