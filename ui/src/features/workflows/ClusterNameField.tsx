import { Stack, Text, TextInput } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useFleet } from "../../ipc/queries";
import { type WizardForm as Form, importName, recordedName, renameWarning } from "./model";

interface ClusterNameFieldProps {
  form: Form;
  error: string | undefined;
  onChange: (patch: Partial<Form>) => void;
}

/**
 * The member's Cluster name: empty for the planner's default (shown as the placeholder),
 * checked as a DNS-1123 label as it is typed, with a warning when it is not the name a host
 * recorded on the member.
 */
export function ClusterNameField({ form, error, onChange }: ClusterNameFieldProps) {
  const { t } = useTranslation();
  const fleet = useFleet();
  const chosen = form.member !== "";
  const fallback = importName(fleet.data, form.member);
  const recorded = recordedName(fleet.data, form.member);
  const warning = renameWarning(form, fleet.data);
  const hint = t(`workflows.form.clusterNameHint.${form.kind}`);
  const byDefault = recorded !== null ? t("workflows.form.clusterNameRecorded", { name: fallback }) : t("workflows.form.clusterNameDefault", { name: fallback });
  return (
    <Stack gap={4}>
      <TextInput
        label={t("workflows.form.clusterName")}
        description={chosen ? t("workflows.form.clusterNameDescription", { hint, byDefault }) : hint}
        data-testid="field-cluster-name"
        w={{ base: "100%", sm: "50%" }}
        placeholder={chosen ? fallback : undefined}
        value={form.clusterName}
        error={error}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => {
          onChange({ clusterName: e.currentTarget.value });
        }}
      />
      {warning !== null && error === undefined && (
        <Text size="xs" c="orange" role="status" data-testid="cluster-name-warning">
          {t(`workflows.form.${warning.key}`, { member: form.member, recorded: warning.recorded, name: warning.name })}
        </Text>
      )}
    </Stack>
  );
}
