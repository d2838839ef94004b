import { Badge, Button, Group, Loader, Menu, Modal, Skeleton, Text, Tooltip } from "@mantine/core";
import { Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import { FlaskIcon, FolderIcon, VaultIcon } from "../../components/icons";
import type { EstateInfo } from "../../ipc/bindings";
import { useEstateInfo } from "../../ipc/queries";
import { DemoScenarioForm } from "../../app/screens";
import { useEstateSwitched } from "./EstateContext";
import { useOpenEstate } from "./estate";

/** Which estate is open, in the top bar of every screen. The demo is flagged loudly. */
function EstateLabel({ info }: { info: EstateInfo }) {
  const { t } = useTranslation();
  if (info.source === "demo") {
    return (
      <>
        <Tooltip label={t("estate.demoHint")}>
          <Badge color="orange" variant="filled" leftSection={<FlaskIcon width={12} height={12} />} data-testid="demo-badge" className="demo-badge">
            {t("estate.demoBadge")}
          </Badge>
        </Tooltip>
        {info.scenario && (
          <Text size="sm" c="dimmed" ff="monospace" title={t("onboarding.scenarioLabel")} data-testid="demo-scenario">
            {info.scenario}
          </Text>
        )}
      </>
    );
  }
  if (info.source === "vault") {
    return (
      <Group gap={6} wrap="nowrap" data-testid="estate-label">
        <VaultIcon width={16} height={16} />
        <Text size="sm" c="dimmed">
          {t("estateSwitch.vault")}
        </Text>
      </Group>
    );
  }
  return (
    <Group gap={6} wrap="nowrap" title={t("estate.directoryHint")} miw={0} data-testid="estate-label">
      <FolderIcon width={16} height={16} />
      <span className="sr-only">{t("estate.directory")}: </span>
      <Text size="sm" c="dimmed" ff="monospace" truncate="end">
        {info.label}
      </Text>
    </Group>
  );
}

/** The open estate and the control that switches between "My clusters" and the demo. */
export function EstateControl() {
  const { t } = useTranslation();
  const info = useEstateInfo();
  const switched = useEstateSwitched();
  const open = useOpenEstate(switched);
  const [picking, setPicking] = useState(false);
  if (!info.data) return <Skeleton h={22} w={160} />;
  return (
    <Group gap="xs" wrap="nowrap" miw={0}>
      <EstateLabel info={info.data} />
      <Menu position="bottom-start" shadow="md">
        <Menu.Target>
          <Button size="compact-sm" variant="default" loading={open.isPending} data-testid="estate-switch">
            {t("estateSwitch.switch")}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{t("estateSwitch.menuLabel")}</Menu.Label>
          <Menu.Item
            leftSection={<VaultIcon width={16} height={16} />}
            disabled={info.data.source === "vault"}
            onClick={() => {
              open.mutate({ kind: "vault" });
            }}
            data-testid="switch-vault"
          >
            {t("estateSwitch.vault")}
          </Menu.Item>
          <Menu.Item
            leftSection={<FlaskIcon width={16} height={16} />}
            onClick={() => {
              setPicking(true);
            }}
            data-testid="switch-demo"
          >
            {t("estateSwitch.demo")}
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      {picking && (
        <Modal opened onClose={() => { setPicking(false); }} title={t("onboarding.demoTitle")} centered>
          <Text size="sm" c="dimmed" mb="sm">
            {t("onboarding.demoBody")}
          </Text>
          <Suspense fallback={<Loader size="sm" />}>
            <DemoScenarioForm onOpened={() => { setPicking(false); }} />
          </Suspense>
        </Modal>
      )}
      {open.error && (
        <Modal opened onClose={() => { open.reset(); }} title={t("estateSwitch.failed")} centered>
          <ErrorPanel title={t("estateSwitch.failed")} error={open.error} data-testid="switch-error" />
        </Modal>
      )}
    </Group>
  );
}
