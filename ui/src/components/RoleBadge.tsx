import { useTranslation } from "react-i18next";
import type { ClusterRole } from "../ipc/bindings";
import { StatusBadge, type Tone } from "./StatusBadge";

const TONES: Record<ClusterRole, Tone> = {
  host: "accent",
  member: "info",
  none: "neutral",
  unknown: "neutral",
};

/** The KubeSphere multi-cluster role of a cluster. */
export function RoleBadge({ role }: { role: ClusterRole }) {
  const { t } = useTranslation();
  return (
    <StatusBadge tone={TONES[role]} dashed={role === "unknown"} title={t(`clusters.roleHint.${role}`)}>
      {t(`clusters.role.${role}`)}
    </StatusBadge>
  );
}
