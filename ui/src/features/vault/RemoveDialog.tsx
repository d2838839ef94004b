import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import { useVaultRemove } from "../../ipc/queries";
import { nextStepKey } from "./vaultErrors";

interface RemoveDialogProps {
  name: string;
  onClose: () => void;
  onDone: (name: string) => void;
}

/** Confirms removing a cluster from the vault (its sealed kubeconfig and metadata). */
export function RemoveDialog({ name, onClose, onDone }: RemoveDialogProps) {
  const { t } = useTranslation();
  const remove = useVaultRemove();
  return (
    <Modal opened onClose={onClose} title={t("vault.remove.title", { name })} centered>
      <Stack gap="md">
        <Text size="sm">{t("vault.remove.body")}</Text>
        {remove.error && (
          <ErrorPanel title={t("vault.actions.remove")} error={remove.error} next={t(nextStepKey(remove.error.kind))} />
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose} data-autofocus>
            {t("vault.remove.cancel")}
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() => {
              remove.mutate(name, {
                onSuccess: (record) => {
                  onDone(record.name);
                },
              });
            }}
          >
            {t("vault.remove.submit", { name })}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
