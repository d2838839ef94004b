import { Alert, Button, Checkbox, Group, Modal, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { WorkflowInput } from "../../ipc/bindings";
import { APP_STORE, type ComponentMatrix, enableTargets } from "./model";

interface EnableDialogProps {
  component: string;
  matrix: ComponentMatrix;
  onClose: () => void;
  /** Plans the change: review, the deliberate click for hosts and progress follow. */
  onPlan: (input: WorkflowInput) => void;
}

/** Enable one component on the host and its members together, in one reviewed run. */
export function EnableDialog({ component, matrix, onClose, onPlan }: EnableDialogProps) {
  const { t } = useTranslation();
  const targets = enableTargets(matrix, component);
  const eligible = targets.filter((c) => c.disabled === null && !c.done);
  const [chosen, setChosen] = useState<string[]>(() => eligible.map((c) => c.name));
  const label = component === APP_STORE ? t("components.appStore") : component;
  return (
    <Modal opened onClose={onClose} title={t("components.enableTitle", { component: label })} size="lg" data-testid="enable-dialog">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t("components.enableIntro")}
        </Text>
        <Checkbox.Group value={chosen} onChange={setChosen} label={t("components.clusters")}>
          <Stack gap={6} mt={6}>
            {targets.map((c) => {
              const why = c.done ? t("components.already") : c.disabled ? t(`components.reason.${c.disabled}`) : null;
              return (
                <Checkbox
                  key={c.name}
                  value={c.name}
                  disabled={why !== null}
                  color={c.host ? "orange" : undefined}
                  data-testid={`enable-target-${c.name}`}
                  label={c.host ? t("components.hostTarget", { name: c.name }) : c.name}
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
              onPlan({ workflow: "component", clusters: chosen, component });
            }}
          >
            {t("access.form.plan")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
