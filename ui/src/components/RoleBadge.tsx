import { Badge, Tooltip, type MantineSize } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { ClusterRole } from "../ipc/bindings";

const COLORS: Record<ClusterRole, string> = {
  host: "ks",
  member: "blue",
  none: "gray",
  unknown: "gray",
};

/** The KubeSphere multi-cluster role of a cluster; hosts stand out everywhere. */
export function RoleBadge({ role, size = "sm" }: { role: ClusterRole; size?: MantineSize }) {
  const { t } = useTranslation();
  return (
    <Tooltip label={t(`clusters.roleHint.${role}`)}>
      <Badge
        size={size}
        color={COLORS[role]}
        variant={role === "host" ? "filled" : role === "unknown" ? "outline" : "light"}
        className="role-badge"
        data-role={role}
      >
        {t(`clusters.role.${role}`)}
      </Badge>
    </Tooltip>
  );
}
