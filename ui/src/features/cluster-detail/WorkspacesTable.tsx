import { Text } from "@mantine/core";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { VirtualTable, type Column } from "../../components/VirtualTable";
import type { Workspace, WorkspaceTemplate } from "../../ipc/bindings";
import { SyncBadge } from "./SyncBadge";

const searchText = (w: Workspace) => w.name;
const rowKey = (w: Workspace) => w.uid || w.name;

/** The cluster's workspaces, with their placement where the cluster holds the templates. */
export function WorkspacesTable({ workspaces, templates }: { workspaces: readonly Workspace[]; templates: readonly WorkspaceTemplate[] }) {
  const { t } = useTranslation();
  const columns = useMemo<Column<Workspace>[]>(() => {
    const byName = new Map(templates.map((tpl) => [tpl.name, tpl]));
    const placement = (w: Workspace) => {
      const tpl = byName.get(w.name);
      if (!tpl) return "";
      return tpl.placedEverywhere ? t("detail.workspaces.everywhere") : tpl.clusters.join(", ");
    };
    const cols: Column<Workspace>[] = [
      { id: "name", header: t("detail.workspaces.name"), width: "minmax(0, 2fr)", cell: (w) => <Text size="sm" truncate="end">{w.name}</Text>, sortValue: (w) => w.name },
      { id: "uid", header: t("detail.workspaces.uid"), width: "minmax(0, 2fr)", cell: (w) => <Text size="xs" c="dimmed" ff="monospace" truncate="end">{w.uid}</Text> },
      { id: "synced", header: t("detail.workspaces.synced"), width: "110px", cell: (w) => <SyncBadge managed={w.kubefedManaged} />, sortValue: (w) => (w.kubefedManaged ? 1 : 0) },
    ];
    if (templates.length > 0) {
      cols.push({ id: "placement", header: t("detail.workspaces.placement"), width: "minmax(0, 1.5fr)", cell: (w) => <Text size="xs" truncate="end">{placement(w)}</Text>, sortValue: placement });
    }
    return cols;
  }, [t, templates]);
  return (
    <VirtualTable
      rows={workspaces}
      columns={columns}
      rowKey={rowKey}
      searchText={searchText}
      label={t("detail.tabs.workspaces")}
      filterLabel={t("detail.workspaces.filter")}
      emptyLabel={t("detail.workspaces.empty")}
      initialSort={{ column: "name", direction: "asc" }}
      data-testid="workspaces-table"
    />
  );
}
