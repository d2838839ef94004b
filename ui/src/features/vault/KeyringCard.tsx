import { Badge, Group, Paper, SimpleGrid, Stack, Text, Title, Tooltip } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import { KeyIcon } from "../../components/icons";
import type { KeyState, VaultStatus } from "../../ipc/bindings";
import { useFormat } from "../../i18n/format";
import { nextStepKey } from "./vaultErrors";

const KEY_COLORS: Record<KeyState, string> = { present: "ks", "not-created": "gray", missing: "red", unavailable: "red" };

/** Where the vault key is kept and whether it is at hand. */
export function KeyringCard({ status, onRetry, retrying }: { status: VaultStatus; onRetry: () => void; retrying: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Paper component="section" aria-labelledby="keyring-title" className="section" data-testid="keyring-status">
      <Group justify="space-between" px="md" py="sm" className="section__header">
        <Group gap="xs">
          <KeyIcon width={18} height={18} />
          <Title order={2} size="h5" id="keyring-title">
            {t("vault.keyring.title")}
          </Title>
        </Group>
        <Group gap={6}>
          {status.sessionOnly && (
            <Tooltip label={t("vault.keyring.sessionOnlyHint")}>
              <Badge color="orange" variant="light">
                {t("vault.keyring.sessionOnly")}
              </Badge>
            </Tooltip>
          )}
          <Tooltip label={t(`vault.keyring.keyHint.${status.key}`)}>
            <Badge color={KEY_COLORS[status.key]} variant="dot" data-testid="key-state">
              {t(`vault.keyring.key.${status.key}`)}
            </Badge>
          </Tooltip>
        </Group>
      </Group>
      <Stack p="md" gap="md">
        <SimpleGrid cols={3} spacing="md">
          <Field label={t("vault.keyring.store")}>
            <Text size="sm">{status.store}</Text>
          </Field>
          <Field label={t("vault.keyring.directory")}>
            <Text size="sm" ff="monospace" truncate="end" title={status.dir}>
              {status.dir}
            </Text>
          </Field>
          <Field label={t("vault.keyring.clusters")}>
            <Group gap="xs">
              <Text size="sm">{format.integer(status.clusters)}</Text>
              {status.locked > 0 && (
                <Badge size="sm" color="red" variant="light">
                  {t("vault.keyring.locked", { count: status.locked })}
                </Badge>
              )}
            </Group>
          </Field>
        </SimpleGrid>
        {status.error && (
          <ErrorPanel
            title={t(`vault.keyring.key.${status.key}`)}
            error={status.error}
            next={t(nextStepKey(status.error.kind))}
            onRetry={onRetry}
            retrying={retrying}
            data-testid="keyring-error"
          />
        )}
      </Stack>
    </Paper>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2} miw={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {children}
    </Stack>
  );
}
