import { Button, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import { usePreflightImport } from "../../ipc/queries";
import { PreflightChecklist } from "./PreflightChecklist";

interface ImportPreflightProps {
  host: string;
  member: string;
  /** The Cluster name the member is imported under. */
  name: string;
  /** Host and member are chosen and valid. */
  ready: boolean;
}

/**
 * The import wizard's preflight step: runs `preflight_import` on demand and shows the checklist
 * of the clusters chosen now (a result for other clusters is not shown). Planning stays
 * possible either way: the plan itself refuses a failed blocking check.
 */
export function ImportPreflight({ host, member, name, ready }: ImportPreflightProps) {
  const { t } = useTranslation();
  const preflight = usePreflightImport();
  const asked = preflight.variables?.host === host && preflight.variables.member === member && preflight.variables.name === name;
  const report = asked ? preflight.data : undefined;
  const error = asked ? preflight.error : null;
  const running = asked && preflight.isPending;
  return (
    <Stack gap="xs" data-testid="import-preflight">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2}>
          <Title order={3} size="h6">
            {t("workflows.preflight.title")}
          </Title>
          <Text size="xs" c="dimmed">
            {ready ? t("workflows.preflight.hint", { host, member, name }) : t("workflows.preflight.choose")}
          </Text>
        </Stack>
        <Button
          size="compact-sm"
          variant="light"
          disabled={!ready}
          loading={running}
          data-testid="preflight-button"
          onClick={() => {
            preflight.mutate({ host, member, name });
          }}
        >
          {report ? t("workflows.preflight.rerun") : t("workflows.preflight.run")}
        </Button>
      </Group>
      {running && (
        <Group gap="xs" data-testid="preflight-loading">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            {t("workflows.preflight.loading")}
          </Text>
        </Group>
      )}
      {error && <ErrorPanel title={t("workflows.preflight.errorTitle")} error={error} data-testid="preflight-error" />}
      {report && !running && <PreflightChecklist report={report} />}
    </Stack>
  );
}
