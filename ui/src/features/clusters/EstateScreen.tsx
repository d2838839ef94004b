import { ActionIcon, Alert, Button, Group, Loader, Paper, Stack, Text, Title, Tooltip } from "@mantine/core";
import { Suspense, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { EmptyState } from "../../components/EmptyState";
import { ErrorPanel } from "../../components/ErrorPanel";
import { TopBar } from "../../components/TopBar";
import { AlertIcon, FlaskIcon, RefreshIcon, ServerIcon } from "../../components/icons";
import { errorKindKey } from "../../ipc/errors";
import { useEstateInfo, useFleet } from "../../ipc/queries";
import { useFormat } from "../../i18n/format";
import { usePaintedSignal } from "../../app/painted";
import { WelcomeScreen } from "../../app/screens";
import { FindingsPanel } from "../fleet/FindingsPanel";
import { countByCluster } from "../fleet/findings";
import { TopologyView } from "../topology/TopologyView";
import { ClusterTable } from "./ClusterTable";
import { EstateSummary } from "./EstateSummary";
import { WelcomeCard } from "./WelcomeCard";

/**
 * The first screen: every cluster of the open estate at a glance, from one fleet inspection
 * (`inspect_fleet`): the summary, the topology, the table and the findings.
 */
export function EstateScreen({ onOpenCluster }: { onOpenCluster: (name: string) => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const info = useEstateInfo();
  const fleet = useFleet();
  const { data, error, isFetching, dataUpdatedAt, refetch } = fleet;
  usePaintedSignal(data !== undefined);

  const actions = (
    <>
      {data && (
        <Text size="xs" c="dimmed" aria-live="polite">
          {isFetching ? t("topbar.refreshing") : t("topbar.updatedAt", { time: format.time(dataUpdatedAt) })}
        </Text>
      )}
      <Tooltip label={t("topbar.refresh")}>
        <ActionIcon
          variant="default"
          size="lg"
          aria-label={t("topbar.refresh")}
          loading={isFetching}
          onClick={() => void refetch()}
        >
          <RefreshIcon width={18} height={18} />
        </ActionIcon>
      </Tooltip>
    </>
  );

  let body;
  if (data) {
    body = (
      <>
        {error && (
          // Keep showing what we had, but say that the last refresh failed.
          <Alert color="red" variant="light" icon={<AlertIcon />} data-testid="refresh-error" role="status">
            <Text size="sm">
              <strong>{t(errorKindKey(error.kind))}</strong> · {error.message}
            </Text>
          </Alert>
        )}
        {data.clusters.length === 0 && info.data?.source === "vault" ? (
          <Suspense fallback={<Loader size="sm" m="xl" />}>
            <WelcomeScreen />
          </Suspense>
        ) : data.clusters.length === 0 ? (
          <EmptyState
            icon={<ServerIcon />}
            title={t("estate.emptyTitle")}
            action={
              <Button variant="default" leftSection={<RefreshIcon />} onClick={() => void refetch()} loading={isFetching}>
                {t("topbar.refresh")}
              </Button>
            }
          >
            {t("estate.emptyBody")}
          </EmptyState>
        ) : (
          <>
            <EstateSummary clusters={data.clusters} />
            <Section title={t("topology.title")} aside={<TopologyLegend />}>
              <TopologyView report={data} onOpenCluster={onOpenCluster} />
            </Section>
            <Section title={t("clusters.title")} flush>
              <ClusterTable clusters={data.clusters} findingCounts={countByCluster(data.findings)} onOpen={onOpenCluster} />
            </Section>
            <FindingsPanel findings={data.findings} />
          </>
        )}
      </>
    );
  } else if (error) {
    body = <ErrorPanel title={t("estate.errorTitle")} error={error} onRetry={() => void refetch()} retrying={isFetching} />;
  } else {
    body = (
      <Stack gap="lg" aria-busy="true">
        <span className="sr-only" role="status">
          {t("estate.loading")}
        </span>
        <EstateSummary clusters={undefined} />
        <Section title={t("clusters.title")} flush>
          <ClusterTable clusters={undefined} />
        </Section>
        <FindingsPanel findings={undefined} />
      </Stack>
    );
  }

  return (
    <>
      <TopBar title={t("estate.title")} actions={actions} />
      <Stack gap="lg" p="xl" className="content">
        {info.data?.source === "demo" && (
          <Alert color="orange" variant="light" icon={<FlaskIcon />} py="xs" data-testid="demo-note">
            <Text size="sm">{t("estate.demoHint")}</Text>
          </Alert>
        )}
        {info.data?.source === "directory" && <WelcomeCard />}
        {body}
      </Stack>
    </>
  );
}

interface SectionProps {
  title: string;
  aside?: ReactNode;
  /** The content touches the card's edges (tables). */
  flush?: boolean;
  children: ReactNode;
}

function Section({ title, aside, flush = false, children }: SectionProps) {
  return (
    <Paper component="section" aria-label={title} className="section">
      <Group justify="space-between" px="md" py="sm" className="section__header">
        <Title order={2} size="h5">
          {title}
        </Title>
        {aside}
      </Group>
      <div className={flush ? undefined : "section__body"}>{children}</div>
    </Paper>
  );
}

function TopologyLegend() {
  const { t } = useTranslation();
  return (
    <Group gap="md" className="topology-legend" aria-hidden="true">
      <Group gap={6}>
        <span className="legend-line legend-line--managed" />
        <Text size="xs" c="dimmed">
          {t("topology.legendManaged")}
        </Text>
      </Group>
      <Group gap={6}>
        <span className="legend-box legend-box--loose" />
        <Text size="xs" c="dimmed">
          {t("topology.legendNotJoined")}
        </Text>
      </Group>
    </Group>
  );
}
