import { Button, Group, Text } from "@mantine/core";
import { open } from "@tauri-apps/plugin-dialog";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { FolderIcon } from "../../components/icons";

/**
 * Picks a kubeconfig file in the system's own file dialog. Only its path is kept: Rust reads
 * the file (the webview has no file access).
 */
export function KubeconfigFilePicker({ path, onPick }: { path: string; onPick: (path: string) => void }) {
  const { t } = useTranslation();
  const [failed, setFailed] = useState(false);
  const choose = async () => {
    setFailed(false);
    try {
      const picked = await open({ title: t("vault.add.fileDialogTitle"), multiple: false, directory: false });
      if (typeof picked === "string") onPick(picked);
    } catch {
      setFailed(true);
    }
  };
  return (
    <Group gap="sm" wrap="nowrap" miw={0}>
      <Button variant="default" leftSection={<FolderIcon width={16} height={16} />} onClick={() => void choose()} data-testid="add-pick-file">
        {t("vault.add.chooseFile")}
      </Button>
      <Text size="sm" ff="monospace" truncate="start" miw={0} c={path ? undefined : "dimmed"} data-testid="add-file-path">
        {path || t("vault.add.noFile")}
      </Text>
      {failed && (
        <Text size="sm" c="red" role="alert">
          {t("vault.add.fileDialogFailed")}
        </Text>
      )}
    </Group>
  );
}
