import { Badge, Group, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Fact } from "../../ipc/bindings";
import { useFormat } from "../../i18n/format";
import { certLeft } from "./federation";

const COLORS = { ok: "ks", soon: "orange", expired: "red" } as const;

/** When the client certificate a host uses for a member ends, and how soon that is. */
export function CertExpiry({ cert }: { cert: Fact<string> | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (cert === null) {
    return (
      <Text size="xs" c="dimmed">
        {t("detail.registration.certNone")}
      </Text>
    );
  }
  const left = certLeft(cert.value);
  return (
    <Group gap={6} wrap="nowrap" data-testid="cert-expiry" title={cert.source}>
      <Text size="xs" ff="monospace">
        {format.date(cert.value)}
      </Text>
      {left && (
        <Badge size="xs" variant="light" color={COLORS[left.state]} data-state={left.state}>
          {left.state === "expired" ? t("detail.registration.certExpired") : t("detail.registration.certLeft", { count: left.days })}
        </Badge>
      )}
    </Group>
  );
}
