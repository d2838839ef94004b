import { Alert, Button, Checkbox, Group, Modal, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { WorkflowInput } from "../../ipc/bindings";
import { APP_STORE, type ComponentMatrix, type ComponentRow, enableInput, enableTargets } from "./model";

interface EnableDialogProps {
  /** The component (3.x) or extension (4.x) row. */
  row: ComponentRow;
  matrix: ComponentMatrix;
  onClose: () => void;
  /** Plans the change: review, the deliberate click for hosts and progress follow. */
  onPlan: (input: WorkflowInput) => void;
}

/**
 * Enable one component on the host and its members together, in one reviewed run: 3.x in each
 * cluster's ClusterConfiguration; 4.x by adding members to the host's InstallPlan.
 */
export function EnableDialog({ row, matrix, onClose, onPlan }: EnableDialogProps) {
  const { t } = useTranslation();
  const component = row.name;
  const v4 = row.extension;
  const targets = enableTargets(matrix, row);
  const eligible = targets.filter((c) => c.disabled === null && !c.done);
  const [chosen, setChosen] = useState<string[]>(() => eligible.map((c) => c.name));
  const label = component === APP_STORE ? t("components.appStore") : component;
  return (
    <Modal opened onClose={onClose} title={t("components.enableTitle", { component: label })} size="lg" data-testid="enable-dialog">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {v4 ? t("components.enableIntroV4", { host: row.host ?? "", plan: row.installPlan ?? "" }) : t("components.enableIntro")}
        </Text>
        <Checkbox.Group value={chosen} onChange={setChosen} label={t("components.clusters")}>
          <Stack gap={6} mt={6}>
            {targets.map((c) => {
              const why = c.done ? t(v4 ? "components.alreadyV4" : "components.already") : c.disabled ? t(`components.reason.${c.disabled}`) : null;
              const name = v4 && c.clusterName !== null && c.clusterName !== c.name ? t("components.clusterAs", { name: c.name, cluster: c.clusterName }) : c.name;
              return (
                <Checkbox
                  key={c.name}
                  value={c.name}
                  disabled={why !== null}
                  color={c.host ? "orange" : undefined}
                  data-testid={`enable-target-${c.name}`}
                  label={c.host ? t("components.hostTarget", { name }) : name}
                  description={why ?? undefined}
                />
              );
            })}
          </Stack>
        </Checkbox.Group>
        {component === APP_STORE && (
          <Alert color="blue" variant="light">
            {t("components.reason.appStoreHostOnly")}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("access.form.cancel")}
          </Button>
          <Button
            disabled={chosen.length === 0}
            data-testid="enable-plan"
            onClick={() => {
              onPlan(enableInput(row, targets, chosen));
            }}
          >
            {t("access.form.plan")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
