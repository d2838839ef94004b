import { ActionIcon, Alert, Badge, Button, Group, Paper, Skeleton, Stack, Tabs, Text, Tooltip } from "@mantine/core";
import { useMemo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useLiveView } from "../../app/useLiveView";
import { ErrorPanel } from "../../components/ErrorPanel";
import { LiveIndicator } from "../../components/LiveIndicator";
import { RoleBadge } from "../../components/RoleBadge";
import { TopBar } from "../../components/TopBar";
import { AlertIcon, ChevronLeftIcon, RefreshIcon } from "../../components/icons";
import type { ClusterFacts, Listed } from "../../ipc/bindings";
import { errorKindKey } from "../../ipc/errors";
import { useFleet } from "../../ipc/queries";
import { useFormat } from "../../i18n/format";
import { displayServer, registrations, roleOf, type Registration } from "../clusters/model";
import { ComponentsTable } from "./ComponentsTable";
import { FactsCard } from "./FactsCard";
import { FederationCard } from "./FederationCard";
import { ProjectsTable } from "./ProjectsTable";
import { UsersTable } from "./UsersTable";
import { WorkspacesTable } from "./WorkspacesTable";

interface ClusterDetailScreenProps {
  name: string;
  onBack: () => void;
}

/** One cluster in depth, from the same fleet inspection as the overview (no second read). */
export function ClusterDetailScreen({ name, onBack }: ClusterDetailScreenProps) {
  const { t } = useTranslation();
  const fleet = useFleet();
  const { data, error, isFetching, refetch } = fleet;
  const cluster = data?.clusters.find((c) => c.name === name);
  const registration = useMemo(() => (data ? (registrations(data).get(name) ?? null) : null), [data, name]);
  // While this cluster is shown, watches of its namespaces, workspaces and users re-read it
  // alone and patch it into the fleet report.
  const live = useLiveView("cluster", name);

  const back = (
    <Tooltip label={t("detail.back")}>
      <ActionIcon variant="subtle" color="gray" size="lg" aria-label={t("detail.back")} onClick={onBack} data-testid="detail-back">
        <ChevronLeftIcon />
      </ActionIcon>
    </Tooltip>
  );
  const refresh = (
    <Tooltip label={t("topbar.refresh")}>
      <ActionIcon variant="default" size="lg" aria-label={t("topbar.refresh")} loading={isFetching} onClick={() => void refetch()}>
        <RefreshIcon width={18} height={18} />
      </ActionIcon>
    </Tooltip>
  );

  let body: ReactNode;
  if (cluster) {
    body = <Detail cluster={cluster} registration={registration} />;
  } else if (data) {
    body = (
      <Alert color="gray" variant="light">
        <Text size="sm">{t("detail.notFound", { name })}</Text>
        <Button mt="sm" size="xs" variant="default" onClick={onBack}>
          {t("detail.back")}
        </Button>
      </Alert>
    );
  } else if (error) {
    body = <ErrorPanel title={t("estate.errorTitle")} error={error} onRetry={() => void refetch()} retrying={isFetching} />;
  } else {
    body = <Skeleton h={240} />;
  }

  return (
    <>
      <TopBar
        leading={back}
        title={<span data-testid="detail-title">{name}</span>}
        context={cluster && <HeaderFacts cluster={cluster} />}
        actions={
          <Group gap="sm" wrap="nowrap">
            <LiveIndicator status={live} />
            {refresh}
          </Group>
        }
      />
      <Stack gap="lg" p="xl" className="content">
        {data && error && (
          <Alert color="red" variant="light" icon={<AlertIcon />} role="status">
            <Text size="sm">
              <strong>{t(errorKindKey(error.kind))}</strong> · {error.message}
            </Text>
          </Alert>
        )}
        {body}
      </Stack>
    </>
  );
}

function HeaderFacts({ cluster }: { cluster: ClusterFacts }) {
  return (
    <>
      <RoleBadge role={roleOf(cluster)} />
      <Text size="sm" c="dimmed" ff="monospace" truncate="end" title={cluster.server}>
        {displayServer(cluster.server)}
      </Text>
    </>
  );
}

function Detail({ cluster, registration }: { cluster: ClusterFacts; registration: Registration | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  const count = (listed: Listed<unknown>) =>
    listed.items === null ? null : (
      <Badge size="xs" variant="light" color="gray" ml={4}>
        {format.integer(listed.items.length)}
      </Badge>
    );
  return (
    <>
      {cluster.error && (
        <ErrorPanel title={t("detail.unreadableTitle", { name: cluster.name })} error={cluster.error} data-testid="detail-error" />
      )}
      <Tabs defaultValue="overview" keepMounted={false} variant="outline" className="detail-tabs">
        <Tabs.List>
          <Tabs.Tab value="overview">{t("detail.tabs.overview")}</Tabs.Tab>
          <Tabs.Tab value="projects" rightSection={count(cluster.projects)} data-testid="tab-projects">
            {t("detail.tabs.projects")}
          </Tabs.Tab>
          <Tabs.Tab value="workspaces" rightSection={count(cluster.workspaces)} data-testid="tab-workspaces">
            {t("detail.tabs.workspaces")}
          </Tabs.Tab>
          <Tabs.Tab value="users" rightSection={count(cluster.users)} data-testid="tab-users">
            {t("detail.tabs.users")}
          </Tabs.Tab>
          <Tabs.Tab value="components" data-testid="tab-components">
            {t("detail.tabs.components")}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <Stack gap="lg">
            <FactsCard cluster={cluster} />
            <FederationCard cluster={cluster} registration={registration} />
            {cluster.factErrors.length > 0 && <FactErrors cluster={cluster} />}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="projects" pt="md">
          <ListedPanel listed={cluster.projects}>{(items) => <ProjectsTable projects={items} />}</ListedPanel>
        </Tabs.Panel>
        <Tabs.Panel value="workspaces" pt="md">
          <ListedPanel listed={cluster.workspaces}>
            {(items) => <WorkspacesTable workspaces={items} templates={cluster.workspaceTemplates.items ?? []} />}
          </ListedPanel>
        </Tabs.Panel>
        <Tabs.Panel value="users" pt="md">
          <ListedPanel listed={cluster.users}>{(items) => <UsersTable users={items} />}</ListedPanel>
        </Tabs.Panel>
        <Tabs.Panel value="components" pt="md">
          <Paper p="md">
            <ComponentsTable components={cluster.kubesphere?.components ?? null} />
          </Paper>
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

/** A list read from the cluster, or why there is none (the resource type is not installed). */
function ListedPanel<T>({ listed, children }: { listed: Listed<T>; children: (items: T[]) => ReactNode }) {
  const { t } = useTranslation();
  return (
    <Paper p="md">
      {listed.items === null ? (
        <Text size="sm" c="dimmed">
          {t("detail.listAbsent", { source: listed.source })}
        </Text>
      ) : (
        children(listed.items)
      )}
    </Paper>
  );
}

function FactErrors({ cluster }: { cluster: ClusterFacts }) {
  const { t } = useTranslation();
  return (
    <Alert color="yellow" variant="light" title={t("detail.factErrors.title")} icon={<AlertIcon />} data-testid="fact-errors">
      <Stack gap={4}>
        {cluster.factErrors.map((e) => (
          <Text size="sm" key={e.source}>
            <Text span ff="monospace" size="sm">
              {e.source}
            </Text>{" "}
            · <strong>{t(errorKindKey(e.error.kind))}</strong> · {e.error.message}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}
