import { Badge, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Missing } from "../../components/Missing";
import type { ClusterFacts, Condition, ManagedCluster } from "../../ipc/bindings";
import { isHost, joinState, type JoinState, type Registration } from "../clusters/model";
import { CertExpiry } from "./CertExpiry";
import { UsersSynced } from "./UsersSynced";

const JOIN_COLORS: Record<JoinState, string> = { ready: "ks", "not-ready": "red", pending: "yellow", deleting: "orange" };

/** Where the cluster stands in the federation: its Cluster object on a host, or the host's. */
export function FederationCard({ cluster, registration }: { cluster: ClusterFacts; registration: Registration | null }) {
  const { t } = useTranslation();
  return (
    <Paper component="section" aria-labelledby="federation-title" className="section" data-testid="federation">
      <Title order={2} size="h5" px="md" py="sm" id="federation-title" className="section__header">
        {t("detail.registration.title")}
      </Title>
      <Stack p="md" gap="md">
        {isHost(cluster) ? (
          <HostObjects objects={cluster.clusters.items ?? []} />
        ) : registration ? (
          <ObjectDetail host={registration.host} object={registration.object} />
        ) : (
          <Text size="sm" c="dimmed" data-testid="not-registered">
            {t("detail.registration.notRegistered")}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function JoinBadge({ object }: { object: ManagedCluster }) {
  const { t } = useTranslation();
  const state = joinState(object);
  return (
    <Badge variant="dot" color={JOIN_COLORS[state]} data-testid="join-state">
      {t(`topology.join.${state}`)}
    </Badge>
  );
}

function ObjectDetail({ host, object }: { host: string; object: ManagedCluster }) {
  const { t } = useTranslation();
  return (
    <>
      <Group gap="sm">
        <Text size="sm" data-testid="registered-on">
          {t("detail.registration.memberOf", { host, name: object.name })}
        </Text>
        <JoinBadge object={object} />
      </Group>
      <Group gap="lg">
        <Text size="xs" c="dimmed">
          {t("detail.registration.connection")}: <Text span ff="monospace" size="xs">{object.connectionType ?? "—"}</Text>
        </Text>
        <Text size="xs" c="dimmed">
          {t("detail.registration.joinFederation")}: {object.joinFederation ? t("detail.facts.yes") : t("detail.facts.no")}
        </Text>
        {object.deletingSince !== null && (
          <Text size="xs" c="orange">
            {t("detail.registration.deleting", { since: object.deletingSince })}
          </Text>
        )}
      </Group>
      <Group gap="xl">
        <Group gap="xs" wrap="nowrap">
          <Text size="xs" c="dimmed">
            {t("detail.registration.cert")}:
          </Text>
          <CertExpiry cert={object.certExpires} />
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Text size="xs" c="dimmed">
            {t("detail.registration.users")}:
          </Text>
          <UsersSynced sync={object.usersSynced} detailed />
        </Group>
      </Group>
      <Conditions conditions={object.conditions} />
    </>
  );
}

function Conditions({ conditions }: { conditions: readonly Condition[] }) {
  const { t } = useTranslation();
  if (conditions.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t("detail.registration.noConditions")}
      </Text>
    );
  }
  return (
    <Table withTableBorder data-testid="conditions" aria-label={t("detail.registration.conditions")}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("detail.registration.condition.type")}</Table.Th>
          <Table.Th>{t("detail.registration.condition.status")}</Table.Th>
          <Table.Th>{t("detail.registration.condition.reason")}</Table.Th>
          <Table.Th>{t("detail.registration.condition.message")}</Table.Th>
          <Table.Th>{t("detail.registration.condition.updated")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {conditions.map((c) => (
          <Table.Tr key={c.kind}>
            <Table.Td fz="sm">{c.kind}</Table.Td>
            <Table.Td>
              <Badge size="sm" variant="light" color={c.status === "True" ? "ks" : c.status === "False" ? "red" : "gray"}>
                {c.status}
              </Badge>
            </Table.Td>
            <Table.Td fz="sm">{c.reason ?? <Missing />}</Table.Td>
            <Table.Td fz="sm">{c.message ?? <Missing />}</Table.Td>
            <Table.Td fz="xs" ff="monospace">
              {c.lastUpdateTime ?? <Missing />}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The Cluster objects a host keeps: itself and every member it manages. */
function HostObjects({ objects }: { objects: readonly ManagedCluster[] }) {
  const { t } = useTranslation();
  return (
    <>
      <Text size="sm">{t("detail.registration.hostOf")}</Text>
      <Table withTableBorder data-testid="host-objects">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("detail.registration.object.name")}</Table.Th>
            <Table.Th>{t("detail.registration.object.state")}</Table.Th>
            <Table.Th>{t("detail.registration.object.versions")}</Table.Th>
            <Table.Th>{t("detail.registration.connection")}</Table.Th>
            <Table.Th>{t("detail.registration.object.cert")}</Table.Th>
            <Table.Th>{t("detail.registration.object.users")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {objects.map((o) => (
            <Table.Tr key={o.name} data-testid={`host-object-${o.name}`}>
              <Table.Td fz="sm" fw={600}>
                {o.name}
                {o.isHost && (
                  <Badge ml="xs" size="xs" color="ks" variant="filled">
                    {t("clusters.role.host")}
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <JoinBadge object={o} />
              </Table.Td>
              <Table.Td fz="xs" ff="monospace">
                {o.kubernetesVersion ?? "—"} · KS {o.kubesphereVersion ?? "—"}
              </Table.Td>
              <Table.Td fz="xs" ff="monospace">
                {o.connectionType ?? "—"}
              </Table.Td>
              <Table.Td>{o.isHost ? <Text size="xs" c="dimmed">—</Text> : <CertExpiry cert={o.certExpires} />}</Table.Td>
              <Table.Td>
                <UsersSynced sync={o.usersSynced} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
