import { ActionIcon, Alert, Button, Code, Group, Paper, Skeleton, Stack, Text, Title, Tooltip } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { CopyButton } from "../../components/CopyButton";
import { EmptyState } from "../../components/EmptyState";
import { ErrorPanel } from "../../components/ErrorPanel";
import { TopBar } from "../../components/TopBar";
import { FlaskIcon, RefreshIcon, VaultIcon } from "../../components/icons";
import { queryKeys, useEstateInfo, useVault } from "../../ipc/queries";
import { SwitchToVault } from "../onboarding/SwitchToVault";
import { AddClusterDialog } from "./AddClusterDialog";
import { ExecReviewDialog } from "./ExecReviewDialog";
import { KeyringCard } from "./KeyringCard";
import { RemoveDialog } from "./RemoveDialog";
import { RenameDialog } from "./RenameDialog";
import { VaultTable, type VaultAction } from "./VaultTable";
import { nextStepKey } from "./vaultErrors";

const ADD_COMMAND = "ksmc vault add --file ~/host.kubeconfig --name host";

/** The vault: stored clusters, how they authenticate, what was accepted, and the keyring. */
export function VaultScreen() {
  const { t } = useTranslation();
  const vault = useVault();
  const info = useEstateInfo();
  const [dialog, setDialog] = useState<{ action: VaultAction; name: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const { data, error, isFetching, refetch } = vault;
  const client = useQueryClient();
  const close = () => {
    setDialog(null);
  };
  // A vault change changes the vault estate ("My clusters"): read it again.
  const changed = () => {
    setDialog(null);
    void client.invalidateQueries({ queryKey: queryKeys.fleet });
  };
  const openAdd = () => {
    setDone(null);
    setAdding(true);
  };

  let body;
  if (data) {
    body = (
      <>
        <KeyringCard status={data.status} onRetry={() => void refetch()} retrying={isFetching} />
        <Paper component="section" aria-labelledby="vault-clusters-title" className="section">
          <Title order={2} size="h5" px="md" py="sm" id="vault-clusters-title" className="section__header">
            {t("vault.keyring.clusters")}
          </Title>
          {data.clusters.length === 0 ? (
            <EmptyState
              icon={<VaultIcon />}
              title={t("vault.emptyTitle")}
              action={
                <Button onClick={openAdd} data-testid="vault-add-empty">
                  {t("vault.add.open")}
                </Button>
              }
            >
              {t("vault.emptyBody")}
              <Group gap="xs" justify="center" mt="sm" wrap="nowrap">
                <Code>{ADD_COMMAND}</Code>
                <CopyButton text={ADD_COMMAND} />
              </Group>
            </EmptyState>
          ) : (
            <VaultTable
              entries={data.clusters}
              onAction={(action, name) => {
                setDone(null);
                setDialog({ action, name });
              }}
            />
          )}
        </Paper>
      </>
    );
  } else if (error) {
    body = (
      <ErrorPanel
        title={t("vault.errorTitle")}
        error={error}
        next={t(nextStepKey(error.kind))}
        onRetry={() => void refetch()}
        retrying={isFetching}
      />
    );
  } else {
    body = (
      <Stack gap="lg" aria-busy="true">
        <span className="sr-only" role="status">
          {t("vault.loading")}
        </span>
        <Skeleton h={120} />
        <Skeleton h={160} />
      </Stack>
    );
  }

  return (
    <>
      <TopBar
        title={t("vault.title")}
        actions={
          <>
            <Button variant="filled" onClick={openAdd} data-testid="vault-add">
              {t("vault.add.open")}
            </Button>
            <Tooltip label={t("topbar.refresh")}>
              <ActionIcon variant="default" size="lg" aria-label={t("topbar.refresh")} loading={isFetching} onClick={() => void refetch()}>
                <RefreshIcon width={18} height={18} />
              </ActionIcon>
            </Tooltip>
          </>
        }
      />
      <Stack gap="lg" p="xl" className="content">
        <Text size="sm" c="dimmed">
          {t("vault.intro")}
        </Text>
        {info.data?.source === "demo" && (
          <Alert color="orange" variant="light" icon={<FlaskIcon />} py="xs" data-testid="vault-demo-note">
            <Text size="sm">{t("vault.demoSeparate")}</Text>
            {data && data.clusters.length > 0 && <SwitchToVault count={data.clusters.length} />}
          </Alert>
        )}
        {done && (
          <Alert color="ks" variant="light" withCloseButton onClose={() => { setDone(null); }} role="status" data-testid="vault-done">
            <Text size="sm">{done}</Text>
          </Alert>
        )}
        {body}
      </Stack>
      {adding && (
        <AddClusterDialog
          existing={data?.clusters.map((c) => c.name) ?? []}
          onClose={() => {
            setAdding(false);
          }}
          onDone={(names, pending) => {
            setAdding(false);
            void client.invalidateQueries({ queryKey: queryKeys.fleet });
            const added = t("vault.add.done", { count: names.length, names: names.join(", ") });
            setDone(pending.length > 0 ? `${added} ${t("vault.add.donePending", { names: pending.join(", ") })}` : added);
          }}
        />
      )}
      {dialog?.action === "rename" && (
        <RenameDialog
          name={dialog.name}
          onClose={close}
          onDone={(name) => {
            changed();
            setDone(t("vault.done.renamed", { name }));
          }}
        />
      )}
      {dialog?.action === "remove" && (
        <RemoveDialog
          name={dialog.name}
          onClose={close}
          onDone={(name) => {
            changed();
            setDone(t("vault.done.removed", { name }));
          }}
        />
      )}
      {dialog?.action === "exec" && (
        <ExecReviewDialog
          name={dialog.name}
          onClose={close}
          onDone={() => {
            changed();
            setDone(t("vault.exec.approvedDone"));
          }}
        />
      )}
    </>
  );
}
