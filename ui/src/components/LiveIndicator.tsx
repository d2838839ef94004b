import { Badge } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { LiveStatus } from "../app/useLiveView";

/** A small "Live" / "Reconnecting…" badge; nothing while connecting or when live views are off. */
export function LiveIndicator({ status }: { status: LiveStatus }) {
  const { t } = useTranslation();
  if (status !== "live" && status !== "reconnecting") return null;
  return (
    <Badge
      variant="dot"
      color={status === "live" ? "teal" : "orange"}
      role="status"
      title={t(status === "live" ? "live.liveHint" : "live.reconnectingHint")}
      data-testid="live-indicator"
      data-status={status}
    >
      {t(status === "live" ? "live.live" : "live.reconnecting")}
    </Badge>
  );
}
