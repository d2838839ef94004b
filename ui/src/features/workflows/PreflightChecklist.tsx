import { Badge, Box, Group, Stack, Text, ThemeIcon } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { CommandBlock } from "../../components/CommandBlock";
import type { Check, CheckStatus, PreflightReport } from "../../ipc/bindings";
import { checkText } from "./preflightText";

/** The colours of a check's status, as the run progress and the findings use them. */
const CHECK_COLORS: Record<CheckStatus, string> = {
  pass: "teal",
  warn: "yellow",
  fail: "red",
  skip: "gray",
};

const CHECK_ICONS: Record<CheckStatus, string> = { pass: "✓", warn: "!", fail: "✕", skip: "–" };

/** The import preflight: one row per check, with how to fix a failed or warning check. */
export function PreflightChecklist({ report }: { report: PreflightReport }) {
  const { t } = useTranslation();
  const failed = report.checks.filter((c) => c.status === "fail").length;
  return (
    <Stack gap="xs" data-testid="preflight-checklist" data-ok={report.ok}>
      <Text size="sm" fw={600} c={report.ok ? "teal" : "red"} data-testid="preflight-summary">
        {report.ok ? t("workflows.preflight.ok") : t("workflows.preflight.failed", { count: failed })}
      </Text>
      <Box component="ul" m={0} p={0} style={{ listStyle: "none" }}>
        {report.checks.map((check) => (
          <CheckRow key={check.id} check={check} />
        ))}
      </Box>
    </Stack>
  );
}

function CheckRow({ check }: { check: Check }) {
  const { t, i18n } = useTranslation();
  const { status, fix } = check;
  const text = checkText(i18n, check);
  // Fixes of a passed or skipped check are not news.
  const showFix = fix !== null && (status === "fail" || status === "warn");
  const commands = fix?.commands.join("\n") ?? "";
  return (
    <Box component="li" py={6} data-testid={`preflight-check-${check.id}`} data-status={status}>
      <Group gap="xs" wrap="nowrap" align="center">
        <ThemeIcon size={18} radius="xl" variant="light" color={CHECK_COLORS[status]} aria-hidden="true">
          {CHECK_ICONS[status]}
        </ThemeIcon>
        <Text size="sm" fw={600}>
          {text.title}
        </Text>
        <Badge size="xs" variant="light" color={CHECK_COLORS[status]} data-testid="preflight-status">
          {t(`workflows.preflight.status.${status}`)}
        </Badge>
      </Group>
      <Text size="sm" c={status === "pass" || status === "skip" ? "dimmed" : undefined} ml={26} mt={2}>
        {text.message}
      </Text>
      {showFix && (
        <Box ml={26}>
          {text.fix !== "" && (
            <Text size="sm" mt={4} data-testid="preflight-fix">
              <strong>{t("findings.fix")}</strong> {text.fix}
            </Text>
          )}
          {commands !== "" && <CommandBlock commands={commands} data-testid="preflight-commands" />}
        </Box>
      )}
    </Box>
  );
}
