import { ActionIcon, Alert, Button, Skeleton, Stack, Text, Tooltip } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../../components/EmptyState";
import { ErrorPanel } from "../../components/ErrorPanel";
import { TopBar } from "../../components/TopBar";
import { AccessIcon, RefreshIcon } from "../../components/icons";
import { useFleet } from "../../ipc/queries";
import { useWorkflowSession } from "../workflows/sessionContext";
import { AccessActionDialog } from "./AccessActionDialog";
import { AccessMatrixTable } from "./AccessMatrixTable";
import { type AccessAction, hostAccess } from "./model";

const ACTIONS: readonly AccessAction[] = ["user", "workspace", "invite"];

interface AccessScreenProps {
  /** An action to open at once (from the command palette). */
  intent?: AccessAction | null;
}

/**
 * Who reaches which cluster, per host: platform roles, workspace memberships and placement,
 * and the members' user copies. Its actions plan through the workflow engine: the review,
 * the deliberate click for the host and the progress are the workflow area's.
 */
export function AccessScreen({ intent = null }: AccessScreenProps) {
  const { t } = useTranslation();
  const fleet = useFleet();
  const session = useWorkflowSession();
  const [action, setAction] = useState<AccessAction | null>(intent);
  const hosts = fleet.data ? hostAccess(fleet.data) : [];
  const busy = session.stage.kind === "running" || session.stage.kind === "planning";

  const actions = (
    <>
      {ACTIONS.map((a) => (
        <Button key={a} size="xs" variant={a === "user" ? "filled" : "default"} disabled={hosts.length === 0 || busy}
          onClick={() => { setAction(a); }} data-testid={`access-action-${a}`}>
          {t(`access.actions.${a}`)}
        </Button>
      ))}
      <Tooltip label={t("topbar.refresh")}>
        <ActionIcon variant="default" size="lg" aria-label={t("topbar.refresh")} loading={fleet.isFetching} onClick={() => void fleet.refetch()}>
          <RefreshIcon width={18} height={18} />
        </ActionIcon>
      </Tooltip>
    </>
  );

  let body;
  if (fleet.error && !fleet.data) {
    body = <ErrorPanel title={t("estate.errorTitle")} error={fleet.error} onRetry={() => void fleet.refetch()} />;
  } else if (!fleet.data) {
    body = <Skeleton h={280} />;
  } else if (hosts.length === 0) {
    body = (
      <EmptyState icon={<AccessIcon />} title={t("access.noHost")}>
        {t("access.noHostHint")}
      </EmptyState>
    );
  } else {
    body = hosts.map(({ host, matrix }) =>
      matrix ? (
        <AccessMatrixTable key={host.name} host={host.name} matrix={matrix} />
      ) : (
        <Alert key={host.name} color="gray" variant="light" title={t("access.matrixOf", { host: host.name })}>
          <Text size="sm">{t("access.unreadable")}</Text>
        </Alert>
      ),
    );
  }

  return (
    <>
      <TopBar title={t("access.title")} actions={actions} />
      <Stack gap="lg" p="xl" className="content" data-testid="access-screen">
        <Text size="sm" c="dimmed" maw={760}>
          {t("access.intro")}
        </Text>
        {body}
      </Stack>
      {action && hosts.length > 0 && (
        <AccessActionDialog
          action={action}
          hosts={hosts.map((h) => h.host)}
          onClose={() => { setAction(null); }}
          onPlan={(input) => {
            setAction(null);
            void session.plan(input);
          }}
        />
      )}
    </>
  );
}
