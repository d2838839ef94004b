import { Badge, Group, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { UserSync } from "../../ipc/bindings";
import { useFormat } from "../../i18n/format";

/** How many of the host's users KubeFed has copied to a member, and who is missing. */
export function UsersSynced({ sync, detailed = false }: { sync: UserSync | null; detailed?: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (sync === null) return <Text size="xs" c="dimmed">—</Text>;
  const complete = sync.synced >= sync.total;
  return (
    <Group gap={6} wrap="nowrap" data-testid="users-synced" title={sync.source}>
      <Badge size="xs" variant="light" color={complete ? "ks" : "orange"}>
        {t("detail.registration.usersValue", { synced: format.integer(sync.synced), total: format.integer(sync.total) })}
      </Badge>
      {detailed && sync.missing.length > 0 && (
        <Text size="xs" c="dimmed" truncate="end">
          {t("detail.registration.usersMissing", { names: sync.missing.join(", ") })}
        </Text>
      )}
    </Group>
  );
}
