import { Button, Group, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import { VaultIcon } from "../../components/icons";
import { useEstateSwitched } from "./EstateContext";
import { useOpenEstate } from "./estate";

/** While the demo is open and the vault has clusters: offer to look at them instead. */
export function SwitchToVault({ count }: { count: number }) {
  const { t } = useTranslation();
  const open = useOpenEstate(useEstateSwitched());
  return (
    <>
      <Group gap="sm" mt="xs" wrap="nowrap">
        <Text size="sm">{t("estateSwitch.offer", { count })}</Text>
        <Button
          size="compact-sm"
          leftSection={<VaultIcon width={14} height={14} />}
          loading={open.isPending}
          onClick={() => {
            open.mutate({ kind: "vault" });
          }}
          data-testid="switch-to-vault"
        >
          {t("estateSwitch.toVault")}
        </Button>
      </Group>
      {open.error && <ErrorPanel title={t("estateSwitch.failed")} error={open.error} data-testid="switch-error" />}
    </>
  );
}
