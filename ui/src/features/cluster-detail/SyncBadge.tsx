import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";

/** Propagated by KubeFed from a host, or local to this cluster. */
export function SyncBadge({ managed }: { managed: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge size="xs" variant={managed ? "light" : "default"} color={managed ? "blue" : "gray"}>
      {managed ? t("detail.synced") : t("detail.local")}
    </Badge>
  );
}
