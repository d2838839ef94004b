import { Alert, Button, Group, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { AlertIcon } from "../../components/icons";
import { useRuns } from "../../ipc/queries";
import { isUnfinished } from "../workflows/model";
import { useWorkflowSession } from "../workflows/sessionContext";

/**
 * On start: runs that stopped part-way (interrupted, paused, blocked) are offered for resume.
 * Shown once per start until dismissed; nothing is resumed without a click.
 */
export function UnfinishedNotice({ onOpenActivity }: { onOpenActivity: () => void }) {
  const { t } = useTranslation();
  const runs = useRuns();
  const session = useWorkflowSession();
  const [dismissed, setDismissed] = useState(false);
  const unfinished = (runs.data ?? []).filter((r) => isUnfinished(r.status));
  const latest = unfinished[0];
  if (dismissed || latest === undefined || session.stage.kind === "running") return null;
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<AlertIcon />}
      withCloseButton
      closeButtonLabel={t("activity.notice.dismiss")}
      onClose={() => {
        setDismissed(true);
      }}
      title={t("activity.notice.title", { count: unfinished.length })}
      data-testid="unfinished-notice"
      m="md"
      mb={0}
    >
      <Text size="sm">{t("activity.notice.latest", { title: latest.title, status: t(`workflows.status.${latest.status}`) })}</Text>
      {latest.reason !== null && (
        <Text size="xs" c="dimmed" mt={2}>
          {latest.reason}
        </Text>
      )}
      <Group gap="xs" mt="xs">
        <Button
          size="compact-sm"
          data-testid="notice-resume"
          onClick={() => {
            setDismissed(true);
            void session.resume(latest.id, latest.title);
          }}
        >
          {t("workflows.resume")}
        </Button>
        <Button
          size="compact-sm"
          variant="default"
          onClick={() => {
            setDismissed(true);
            onOpenActivity();
          }}
        >
          {t("activity.notice.open")}
        </Button>
      </Group>
    </Alert>
  );
}
