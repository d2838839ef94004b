import { Alert, Box, Button, Code, Group, Modal, ScrollArea, Skeleton, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { CopyButton } from "../../components/CopyButton";
import { errorKindKey } from "../../ipc/errors";
import { fetchRunScript } from "../../ipc/queries";

/**
 * "Export script": the run's plan as a shell script of kubectl commands, to copy (the app has
 * no file-system access to save it itself).
 */
export function ScriptButton({ runId, compact = false }: { runId: string; compact?: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        variant="default"
        size={compact ? "compact-xs" : "sm"}
        data-testid={`export-script-${runId}`}
        onClick={() => {
          setOpen(true);
        }}
      >
        {t("workflows.script.export")}
      </Button>
      <Modal
        opened={open}
        onClose={() => {
          setOpen(false);
        }}
        title={t("workflows.script.title")}
        size="xl"
      >
        {open && <ScriptBody runId={runId} />}
      </Modal>
    </>
  );
}

function ScriptBody({ runId }: { runId: string }) {
  const { t } = useTranslation();
  const script = useQuery({
    queryKey: ["runs", runId, "script"],
    queryFn: () => fetchRunScript(runId),
    staleTime: Infinity,
  });
  if (script.error) {
    return (
      <Alert color="red" variant="light">
        <strong>{t(errorKindKey(script.error.kind))}</strong> · {script.error.message}
      </Alert>
    );
  }
  if (!script.data) return <Skeleton h={120} />;
  return (
    <>
      <Text size="sm" c="dimmed" mb="xs">
        {t("workflows.script.hint")}
      </Text>
      <ScrollArea.Autosize mah={420}>
        <Code block data-testid="run-script">
          {script.data}
        </Code>
      </ScrollArea.Autosize>
      <Group justify="flex-end" mt="sm" gap="xs">
        <Box>
          <CopyButton text={script.data} />
        </Box>
      </Group>
    </>
  );
}
