import { Badge, Box, Button, Group, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { CommandBlock } from "../../components/CommandBlock";
import type { Finding } from "../../ipc/bindings";
import { useOptionalWorkflowSession } from "../workflows/sessionContext";
import { findingText, objectLabel } from "./findingText";
import { SEVERITY_COLORS } from "./findings";

/** One finding: severity, where, what is wrong and how to fix it, in the UI's language. */
export function FindingItem({ finding }: { finding: Finding }) {
  const { t, i18n } = useTranslation();
  const { severity, cluster, object, fix } = finding;
  const { title, explanation, fix: summary } = findingText(i18n, finding);
  const commands = fix.commands.join("\n");
  const session = useOptionalWorkflowSession();
  const workflow = fix.workflow;
  return (
    <Box
      component="li"
      className={`finding finding--${severity}`}
      data-testid={`finding-${finding.id}-${cluster}`}
      px="md"
      py="sm"
    >
      <Group gap="sm" wrap="nowrap" align="center">
        <Badge color={SEVERITY_COLORS[severity]} variant="light" data-testid="finding-severity" data-severity={severity}>
          {t(`findings.severity.${severity}`)}
        </Badge>
        <Title order={3} size="h6" fw={600}>
          {title}
        </Title>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        <Text span fw={600} size="xs" c="var(--mantine-color-text)">
          {cluster}
        </Text>
        {object !== null && (
          <>
            <span aria-hidden="true"> · </span>
            <Text span ff="monospace" size="xs" data-testid="finding-object">
              {objectLabel(i18n, object)}
            </Text>
          </>
        )}
      </Text>
      <Text size="sm" mt={6}>
        {explanation}
      </Text>
      <Text size="sm" mt={6}>
        <strong>{t("findings.fix")}</strong> {summary}
      </Text>
      {workflow !== null && session !== null && (
        <Button
          size="compact-sm"
          variant="light"
          mt="xs"
          data-testid="finding-fix-it"
          disabled={session.stage.kind === "running" || session.stage.kind === "planning"}
          onClick={() => void session.plan(workflow)}
        >
          {t("findings.fixIt")}
        </Button>
      )}
      {commands !== "" && <CommandBlock commands={commands} data-testid="finding-commands" />}
    </Box>
  );
}
