import { Badge, Tooltip } from "@mantine/core";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { VirtualTable, type Column } from "../../components/VirtualTable";
import type { Project } from "../../ipc/bindings";
import { ownerOf } from "./projects";
import { SyncBadge } from "./SyncBadge";

const searchText = (p: Project) => `${p.name} ${p.workspace}`;
const rowKey = (p: Project) => p.name;

/** Every project (namespace of a workspace) of the cluster, filterable and sortable. */
export function ProjectsTable({ projects }: { projects: readonly Project[] }) {
  const { t } = useTranslation();
  const columns = useMemo<Column<Project>[]>(
    () => [
      // Plain elements styled like Mantine's Text (styles.css, `.vtable__text`): a filter mounts a
      // screenful of new rows at once, and these cost a fraction of the components.
      { id: "name", header: t("detail.projects.name"), width: "minmax(0, 2fr)", cell: (p) => <span className="vtable__text vtable__text--mono">{p.name}</span>, sortValue: (p) => p.name },
      { id: "workspace", header: t("detail.projects.workspace"), width: "minmax(0, 1.5fr)", cell: (p) => <span className="vtable__text">{p.workspace}</span>, sortValue: (p) => p.workspace },
      {
        id: "owner",
        header: t("detail.projects.owner"),
        width: "minmax(0, 1.5fr)",
        cell: (p) => {
          const owner = ownerOf(p);
          return <span className="vtable__text vtable__text--xs vtable__text--dimmed">{owner ?? t("detail.projects.noOwner")}</span>;
        },
        sortValue: (p) => ownerOf(p) ?? "",
      },
      {
        id: "synced",
        header: t("detail.projects.synced"),
        width: "190px",
        cell: (p) => (
          <div className="vtable__badges">
            <SyncBadge managed={p.kubefedManaged} />
            {p.kubefedHostNamespace && (
              <Tooltip label={t("detail.projects.multiClusterHint")}>
                <Badge size="xs" variant="light" color="grape">
                  {t("detail.projects.multiCluster")}
                </Badge>
              </Tooltip>
            )}
          </div>
        ),
        sortValue: (p) => (p.kubefedManaged ? 2 : 0) + (p.kubefedHostNamespace ? 1 : 0),
      },
    ],
    [t],
  );
  return (
    <VirtualTable
      rows={projects}
      columns={columns}
      rowKey={rowKey}
      searchText={searchText}
      label={t("detail.tabs.projects")}
      filterLabel={t("detail.projects.filter")}
      emptyLabel={t("detail.projects.empty")}
      initialSort={{ column: "name", direction: "asc" }}
      data-testid="projects-table"
    />
  );
}
