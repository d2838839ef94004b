import { Box } from "@mantine/core";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { useLiveView } from "../../app/useLiveView";
import { LiveIndicator } from "../../components/LiveIndicator";
import type { FleetReport } from "../../ipc/bindings";
import { ClusterNode } from "./ClusterNode";
import { buildTopology, edgePath, layout, type TopologyEdge } from "./topology";

/** Padding around the drawing, in pixels. */
const PAD = 24;

const EDGE_CLASSES: Record<TopologyEdge["state"], string> = {
  ready: "topology-edge topology-edge--ready",
  "not-ready": "topology-edge topology-edge--not-ready",
  pending: "topology-edge topology-edge--pending",
  deleting: "topology-edge topology-edge--deleting",
};

interface TopologyViewProps {
  report: FleetReport;
  onOpenCluster: (name: string) => void;
}

/**
 * Hosts above the members they manage, one edge per Cluster object. Plain HTML cards over an
 * SVG of the edges: no canvas library (those pull in d3, which writes to frozen prototypes
 * and fails under Tauri's `freezePrototype`).
 */
export function TopologyView({ report, onOpenCluster }: TopologyViewProps) {
  const { t } = useTranslation();
  const { topology, positions, width, height } = useMemo(() => {
    const topology = buildTopology(report);
    return { topology, ...layout(topology) };
  }, [report]);
  // While the overview shows the estate, watches refetch it when a cluster changes.
  const live = useLiveView("overview");

  return (
    <Box className="topology" role="figure" aria-label={t("topology.label")} data-testid="topology" pos="relative">
      <Box pos="absolute" top={8} right={8} style={{ zIndex: 1 }}>
        <LiveIndicator status={live} />
      </Box>
      <div className="topology__canvas" style={{ width: width + 2 * PAD, height: height + 2 * PAD }}>
        <svg className="topology__edges" width={width + 2 * PAD} height={height + 2 * PAD} aria-hidden="true" focusable="false">
          <defs>
            {(["ready", "not-ready", "pending", "deleting"] as const).map((state) => (
              <marker
                key={state}
                id={`topology-arrow-${state}`}
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="7"
                markerHeight="7"
                orient="auto-start-reverse"
                className={`topology-arrow topology-arrow--${state}`}
              >
                <path d="M 0 0 L 10 5 L 0 10 z" />
              </marker>
            ))}
          </defs>
          <g transform={`translate(${String(PAD)} ${String(PAD)})`}>
            {topology.edges.map((edge) => {
              const from = positions.get(edge.source);
              const to = positions.get(edge.target);
              if (!from || !to) return null;
              return (
                <path
                  key={edge.id}
                  d={edgePath(from, to)}
                  className={EDGE_CLASSES[edge.state]}
                  markerEnd={`url(#topology-arrow-${edge.state})`}
                  data-testid={`topology-edge-${edge.id}`}
                  data-state={edge.state}
                />
              );
            })}
          </g>
        </svg>
        {topology.nodes.map((node) => {
          const at = positions.get(node.id) ?? { x: 0, y: 0 };
          return (
            <div key={node.id} className="topology__slot" style={{ left: at.x + PAD, top: at.y + PAD }}>
              <ClusterNode node={node} onOpen={onOpenCluster} />
            </div>
          );
        })}
      </div>
    </Box>
  );
}
