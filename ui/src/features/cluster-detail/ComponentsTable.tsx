import { Badge, Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Component } from "../../ipc/bindings";

type ComponentState = "active" | "installing" | "leftover" | "disabled";

function stateOf(c: Component): ComponentState {
  if (c.configured) return c.installed ? "active" : "installing";
  return c.installed ? "leftover" : "disabled";
}

const COLORS: Record<ComponentState, string> = { active: "ks", installing: "yellow", leftover: "orange", disabled: "gray" };

/** KubeSphere's pluggable components: switched on in the ClusterConfiguration, and installed. */
export function ComponentsTable({ components }: { components: readonly Component[] | null }) {
  const { t } = useTranslation();
  if (components === null) {
    return (
      <Text size="sm" c="dimmed">
        {t("detail.components.none")}
      </Text>
    );
  }
  const yesNo = (b: boolean) => (b ? t("detail.facts.yes") : t("detail.facts.no"));
  return (
    <Table withTableBorder data-testid="components-table">
      <Table.Caption className="sr-only">{t("detail.components.caption")}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("detail.components.name")}</Table.Th>
          <Table.Th>{t("detail.components.configured")}</Table.Th>
          <Table.Th>{t("detail.components.installed")}</Table.Th>
          <Table.Th>{t("detail.components.state")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {[...components]
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((c) => {
            const state = stateOf(c);
            return (
              <Table.Tr key={c.name} data-testid={`component-${c.name}`}>
                <Table.Td fz="sm" ff="monospace">
                  {c.name}
                </Table.Td>
                <Table.Td fz="sm">{yesNo(c.configured)}</Table.Td>
                <Table.Td fz="sm">{yesNo(c.installed)}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="dot" color={COLORS[state]}>
                    {t(`detail.components.${state}`)}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            );
          })}
      </Table.Tbody>
    </Table>
  );
}
