import { ActionIcon, Group, Skeleton, Stack, Text, Tooltip } from "@mantine/core";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import { TopBar } from "../../components/TopBar";
import { RefreshIcon } from "../../components/icons";
import { useFleet } from "../../ipc/queries";
import { useWorkflowSession } from "../workflows/sessionContext";
import { ComponentMatrixTable } from "./ComponentMatrixTable";
import { EnableDialog } from "./EnableDialog";
import { type ComponentRow, componentMatrix } from "./model";

/**
 * KubeSphere's components on every cluster, from the one fleet read; enabling one goes through
 * the workflow engine (plan, review with the host confirmed deliberately, progress).
 */
export function ComponentsScreen() {
  const { t } = useTranslation();
  const fleet = useFleet();
  const session = useWorkflowSession();
  const [enabling, setEnabling] = useState<ComponentRow | null>(null);
  const matrix = useMemo(() => (fleet.data ? componentMatrix(fleet.data) : null), [fleet.data]);
  const busy = session.stage.kind === "running" || session.stage.kind === "planning";

  const refresh = (
    <Tooltip label={t("topbar.refresh")}>
      <ActionIcon variant="default" size="lg" aria-label={t("topbar.refresh")} loading={fleet.isFetching} onClick={() => void fleet.refetch()}>
        <RefreshIcon width={18} height={18} />
      </ActionIcon>
    </Tooltip>
  );

  let body;
  if (matrix) {
    body = <ComponentMatrixTable matrix={matrix} onEnable={busy ? undefined : setEnabling} />;
  } else if (fleet.error) {
    body = <ErrorPanel title={t("estate.errorTitle")} error={fleet.error} onRetry={() => void fleet.refetch()} />;
  } else {
    body = <Skeleton h={280} />;
  }
  return (
    <>
      <TopBar title={t("components.title")} actions={refresh} />
      <Stack gap="lg" p="xl" className="content" data-testid="components-screen">
        <Group gap="xs">
          <Text size="sm" c="dimmed" maw={760}>
            {t("components.intro")}
          </Text>
        </Group>
        {body}
      </Stack>
      {enabling && matrix && (
        <EnableDialog
          row={enabling}
          matrix={matrix}
          onClose={() => { setEnabling(null); }}
          onPlan={(input) => {
            setEnabling(null);
            void session.plan(input);
          }}
        />
      )}
    </>
  );
}
