import { Button, Group, Modal, Stack, TextInput } from "@mantine/core";
import { useState, type SyntheticEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import { useVaultRename } from "../../ipc/queries";
import { isFieldError, isValidName, nextStepKey } from "./vaultErrors";

interface RenameDialogProps {
  name: string;
  onClose: () => void;
  onDone: (newName: string) => void;
}

/** Renames a cluster of the vault; the name is checked here and again by the core. */
export function RenameDialog({ name, onClose, onDone }: RenameDialogProps) {
  const { t } = useTranslation();
  const [value, setValue] = useState(name);
  const [touched, setTouched] = useState(false);
  const rename = useVaultRename();
  const trimmed = value.trim();
  const localError = touched && !isValidName(trimmed) ? t("vault.rename.invalid") : null;
  const serverError = rename.error;
  const fieldError = serverError && isFieldError(serverError.kind) ? `${serverError.message} — ${t(nextStepKey(serverError.kind))}` : null;

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!isValidName(trimmed)) return;
    rename.mutate(
      { name, newName: trimmed },
      {
        onSuccess: (record) => {
          onDone(record.name);
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={t("vault.rename.title", { name })} centered>
      <form onSubmit={submit} data-testid="rename-form">
        <Stack gap="md">
          <TextInput
            data-autofocus
            label={t("vault.rename.label")}
            description={t("vault.rename.description")}
            value={value}
            onChange={(e) => {
              setValue(e.currentTarget.value);
              setTouched(true);
              if (rename.isError) rename.reset();
            }}
            error={localError ?? fieldError}
            spellCheck={false}
            autoComplete="off"
          />
          {serverError && !isFieldError(serverError.kind) && (
            <ErrorPanel title={t("vault.actions.rename")} error={serverError} next={t(nextStepKey(serverError.kind))} />
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              {t("vault.rename.cancel")}
            </Button>
            <Button type="submit" loading={rename.isPending} disabled={trimmed === name}>
              {t("vault.rename.submit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
