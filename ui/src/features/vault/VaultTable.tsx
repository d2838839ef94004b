import { ActionIcon, Badge, Button, Group, Menu, Stack, Table, Text, Tooltip } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { DotsIcon, PencilIcon, ShieldIcon, TrashIcon } from "../../components/icons";
import type { ClusterState, VaultEntry } from "../../ipc/bindings";
import { displayServer } from "../clusters/model";

const STATE_COLORS: Record<ClusterState, string> = {
  ready: "ks",
  locked: "red",
  "approval-required": "yellow",
  unknown: "gray",
};

export type VaultAction = "rename" | "remove" | "exec";

interface VaultTableProps {
  entries: readonly VaultEntry[];
  onAction: (action: VaultAction, name: string) => void;
}

/** The clusters of the vault: what they are, how they authenticate, and what was accepted. */
export function VaultTable({ entries, onAction }: VaultTableProps) {
  const { t } = useTranslation();
  return (
    <Table highlightOnHover data-testid="vault-table" className="vault-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("vault.column.name")}</Table.Th>
          <Table.Th>{t("vault.column.state")}</Table.Th>
          <Table.Th>{t("vault.column.auth")}</Table.Th>
          <Table.Th>{t("vault.column.server")}</Table.Th>
          <Table.Th>{t("vault.column.acks")}</Table.Th>
          <Table.Th>{t("vault.column.seen")}</Table.Th>
          <Table.Th w={56}>
            <span className="sr-only">{t("vault.column.actions")}</span>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {entries.map((entry) => (
          <VaultRow key={entry.id} entry={entry} onAction={onAction} />
        ))}
      </Table.Tbody>
    </Table>
  );
}

function VaultRow({ entry, onAction }: { entry: VaultEntry; onAction: VaultTableProps["onAction"] }) {
  const { t } = useTranslation();
  const { name } = entry;
  return (
    <Table.Tr data-testid={`vault-row-${name}`}>
      <Table.Td>
        <Stack gap={0}>
          <Text fw={600} size="sm">
            {name}
          </Text>
          <Text size="xs" c="dimmed">
            {entry.displayName !== name ? `${entry.displayName} · ` : ""}
            {entry.contextName}
          </Text>
        </Stack>
      </Table.Td>
      <Table.Td>
        <Tooltip label={t(`vault.stateHint.${entry.state}`)}>
          <Badge variant="dot" color={STATE_COLORS[entry.state]} data-testid={`vault-state-${name}`}>
            {t(`vault.state.${entry.state}`)}
          </Badge>
        </Tooltip>
      </Table.Td>
      <Table.Td>
        <Auth entry={entry} onReview={() => { onAction("exec", name); }} />
      </Table.Td>
      <Table.Td>
        <Text size="xs" ff="monospace" c="dimmed" title={entry.server}>
          {displayServer(entry.server)}
        </Text>
      </Table.Td>
      <Table.Td data-testid={`vault-acks-${name}`}>
        {entry.acknowledgements.length === 0 ? (
          <Text size="xs" c="dimmed">
            {t("vault.noAcks")}
          </Text>
        ) : (
          <Group gap={4}>
            {entry.acknowledgements.map((ack) => (
              <Tooltip key={ack} label={t(`vault.ackHint.${ack}`)}>
                <Badge size="xs" color="orange" variant="light">
                  {t(`vault.ack.${ack}`)}
                </Badge>
              </Tooltip>
            ))}
          </Group>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={0}>
          <Text size="xs">{entry.lastSeenAt ? new Date(entry.lastSeenAt).toLocaleString() : t("vault.never")}</Text>
          {entry.roleHint && (
            <Text size="xs" c="dimmed">
              {t("vault.role", { role: t(`clusters.role.${entry.roleHint}`) })}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon variant="subtle" color="gray" aria-label={t("vault.actions.menu", { name })} data-testid={`vault-actions-${name}`}>
              <DotsIcon width={18} height={18} />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item leftSection={<PencilIcon width={16} height={16} />} onClick={() => { onAction("rename", name); }}>
              {t("vault.actions.rename")}
            </Menu.Item>
            <Menu.Item color="red" leftSection={<TrashIcon width={16} height={16} />} onClick={() => { onAction("remove", name); }}>
              {t("vault.actions.remove")}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      </Table.Td>
    </Table.Tr>
  );
}

function Auth({ entry, onReview }: { entry: VaultEntry; onReview: () => void }) {
  const { t } = useTranslation();
  if (entry.exec === null) return <Text size="sm">{t(`vault.auth.${entry.authKind}`)}</Text>;
  const approved = entry.exec.approval !== null;
  return (
    <Stack gap={4} align="flex-start">
      <Group gap={6} wrap="nowrap">
        <Text size="sm">{t("vault.auth.exec")}</Text>
        <Text size="xs" ff="monospace" c="dimmed">
          {entry.exec.command}
        </Text>
      </Group>
      <Group gap={6}>
        <Badge size="xs" color={approved ? "ks" : "yellow"} variant="light" data-testid={`vault-exec-${entry.name}`}>
          {approved ? t("vault.exec.approved") : t("vault.exec.notApproved")}
        </Badge>
        <Button size="compact-xs" variant="default" leftSection={<ShieldIcon width={14} height={14} />} onClick={onReview}>
          {t("vault.exec.review")}
        </Button>
      </Group>
    </Stack>
  );
}
