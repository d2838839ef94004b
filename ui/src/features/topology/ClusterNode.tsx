import { Badge, Group, Text, Tooltip, UnstyledButton } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { RoleBadge } from "../../components/RoleBadge";
import { errorKindKey } from "../../ipc/errors";
import type { NodeState, TopologyNode } from "./topology";

const STATE_COLORS: Record<NodeState, string> = {
  host: "ks",
  ready: "ks",
  "not-ready": "red",
  pending: "yellow",
  deleting: "orange",
  "not-joined": "gray",
  standalone: "gray",
  unknown: "gray",
};

const LOOSE: ReadonlySet<NodeState> = new Set(["not-joined", "standalone", "unknown"]);

interface ClusterNodeProps {
  node: TopologyNode;
  onOpen: (name: string) => void;
}

/** One cluster on the topology: role, versions, health and where it stands in the federation. */
export function ClusterNode({ node, onOpen }: ClusterNodeProps) {
  const { t } = useTranslation();
  const external = node.facts === null;
  const classes = ["topology-node", `topology-node--${node.health}`];
  if (node.state === "host") classes.push("topology-node--host");
  if (external || LOOSE.has(node.state)) classes.push("topology-node--loose");
  const body = (
    <>
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text fw={600} size="sm" truncate="end" className="topology-node__name">
          {node.name}
        </Text>
        <RoleBadge role={node.role} size="xs" />
      </Group>
      <Text size="xs" c="dimmed" ff="monospace" truncate="end" data-testid={`topology-versions-${node.id}`}>
        {node.kubernetesVersion ?? "—"} · KS {node.kubesphereVersion ?? "—"}
      </Text>
      <Group gap={6} wrap="nowrap" className="topology-node__badges">
        <Badge size="xs" variant="dot" color={STATE_COLORS[node.state]} data-testid={`topology-state-${node.id}`}>
          {node.state === "host" ? t("topology.manages", { count: node.members }) : t(`topology.join.${node.state}`)}
        </Badge>
        {node.errorKind !== null && (
          <Badge size="xs" color="red" variant="light">
            {t(errorKindKey(node.errorKind))}
          </Badge>
        )}
        {node.health === "partial" && (
          <Badge size="xs" color="yellow" variant="light">
            {t("clusters.partial")}
          </Badge>
        )}
        {node.findings > 0 && (
          <Badge size="xs" color="orange" variant="outline">
            {t("clusters.findingCount", { count: node.findings })}
          </Badge>
        )}
      </Group>
    </>
  );
  if (external) {
    return (
      <Tooltip label={t("topology.external", { host: node.host ?? "" })}>
        <div className={classes.join(" ")} data-testid={`topology-node-${node.id}`}>
          {body}
        </div>
      </Tooltip>
    );
  }
  return (
    <UnstyledButton
      className={classes.join(" ")}
      data-testid={`topology-node-${node.id}`}
      aria-label={t("topology.open", { name: node.name })}
      onClick={() => {
        onOpen(node.name);
      }}
    >
      {body}
    </UnstyledButton>
  );
}
