import { Badge, Text } from "@mantine/core";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Missing } from "../../components/Missing";
import { VirtualTable, type Column } from "../../components/VirtualTable";
import type { User } from "../../ipc/bindings";

const searchText = (u: User) => `${u.name} ${u.email ?? ""}`;
const rowKey = (u: User) => u.name;

/** The cluster's users and whether each is a copy synced from the host. */
export function UsersTable({ users }: { users: readonly User[] }) {
  const { t } = useTranslation();
  const columns = useMemo<Column<User>[]>(
    () => [
      { id: "name", header: t("detail.users.name"), width: "minmax(0, 1.5fr)", cell: (u) => <Text size="sm" truncate="end">{u.name}</Text>, sortValue: (u) => u.name },
      { id: "email", header: t("detail.users.email"), width: "minmax(0, 2fr)", cell: (u) => (u.email === null ? <Missing /> : <Text size="sm" c="dimmed" truncate="end">{u.email}</Text>), sortValue: (u) => u.email ?? "" },
      {
        id: "sync",
        header: t("detail.users.sync"),
        width: "minmax(0, 1.2fr)",
        cell: (u) => (
          <Badge size="xs" variant={u.kubefedManaged ? "light" : "default"} color={u.kubefedManaged ? "blue" : "gray"}>
            {u.kubefedManaged ? t("detail.users.synced") : t("detail.users.local")}
          </Badge>
        ),
        sortValue: (u) => (u.kubefedManaged ? 1 : 0),
      },
    ],
    [t],
  );
  return (
    <VirtualTable
      rows={users}
      columns={columns}
      rowKey={rowKey}
      searchText={searchText}
      label={t("detail.tabs.users")}
      filterLabel={t("detail.users.filter")}
      emptyLabel={t("detail.users.empty")}
      initialSort={{ column: "name", direction: "asc" }}
      data-testid="users-table"
    />
  );
}
