import { Alert, Button, Checkbox, Group, Modal, NativeSelect, Stack, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { AlertIcon } from "../../components/icons";
import type { ClusterFacts, WorkflowInput } from "../../ipc/bindings";
import {
  type AccessAction,
  type AccessErrors,
  type AccessForm,
  PLATFORM_ROLES,
  WORKSPACE_ROLES,
  accessInput,
  emptyAccessForm,
  hostChoices,
  placesOnHost,
  validateAccess,
} from "./model";

interface AccessActionDialogProps {
  action: AccessAction;
  hosts: readonly ClusterFacts[];
  onClose: () => void;
  /** Plans the action: the review, confirmation and progress follow in the workflow area. */
  onPlan: (input: WorkflowInput) => void;
}

/** Create a user, create (or place) a workspace, or invite a user: validated, then planned. */
export function AccessActionDialog({ action, hosts, onClose, onPlan }: AccessActionDialogProps) {
  const { t } = useTranslation();
  const [form, setForm] = useState<AccessForm>(() => emptyAccessForm(hosts[0]?.name ?? ""));
  const [tried, setTried] = useState(false);
  const host = hosts.find((h) => h.name === form.host) ?? null;
  const choices = host ? hostChoices(host) : null;
  const errors: AccessErrors = validateAccess(action, form, choices);
  const valid = Object.keys(errors).length === 0;
  const shown = (field: keyof AccessErrors, value: string | readonly string[]) => {
    const key = errors[field];
    return key && (tried || value.length > 0) ? t(`access.invalid.${key}`) : undefined;
  };
  const set = (patch: Partial<AccessForm>) => {
    setForm((f) => ({ ...f, ...patch }));
  };
  const options = (values: readonly string[], placeholder?: string) => [
    ...(placeholder === undefined ? [] : [{ value: "", label: placeholder }]),
    ...values.map((v) => ({ value: v, label: v })),
  ];
  const onHost = placesOnHost(form, choices);

  return (
    <Modal opened onClose={onClose} title={t(`access.actions.${action}`)} size="lg" data-testid="access-dialog">
      <form
        aria-label={t(`access.actions.${action}`)}
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (valid) onPlan(accessInput(action, form));
        }}
      >
        <Stack gap="sm">
          <NativeSelect
            label={t("access.form.host")}
            description={t("access.form.hostHint")}
            data={options(hosts.map((h) => h.name))}
            value={form.host}
            error={shown("host", form.host)}
            data-testid="access-host"
            onChange={(e) => {
              set({ host: e.currentTarget.value, placement: [], workspace: "", user: "" });
            }}
          />
          {action === "user" && (
            <>
              <TextInput label={t("access.form.user")} value={form.user} error={shown("user", form.user)} data-testid="access-user"
                autoComplete="off" spellCheck={false} onChange={(e) => { set({ user: e.currentTarget.value }); }} />
              <TextInput label={t("access.form.email")} type="email" value={form.email} error={shown("email", form.email)}
                data-testid="access-email" autoComplete="off" onChange={(e) => { set({ email: e.currentTarget.value }); }} />
              <NativeSelect label={t("access.form.platformRole")} data={options(PLATFORM_ROLES)} value={form.platformRole}
                data-testid="access-platform-role" onChange={(e) => { set({ platformRole: e.currentTarget.value }); }} />
              <Text size="xs" c="dimmed">
                {t("access.form.noPassword")}
              </Text>
            </>
          )}
          {action === "workspace" && (
            <>
              <TextInput label={t("access.form.workspace")} description={t("access.form.workspaceHint")} value={form.workspace}
                error={shown("workspace", form.workspace)} data-testid="access-workspace" autoComplete="off" spellCheck={false}
                onChange={(e) => { set({ workspace: e.currentTarget.value }); }} />
              <Checkbox.Group label={t("access.form.placement")} value={form.placement} error={shown("placement", form.placement)}
                onChange={(placement) => { set({ placement }); }} data-testid="access-placement">
                <Stack gap={6} mt={6}>
                  {(choices?.clusters ?? []).map((c) => (
                    <Checkbox key={c.name} value={c.name} data-testid={`access-place-${c.name}`} color={c.isHost ? "orange" : undefined}
                      label={c.isHost ? t("access.form.placeHost", { name: c.name }) : c.name} />
                  ))}
                </Stack>
              </Checkbox.Group>
              {onHost && (
                <Alert color="orange" variant="light" icon={<AlertIcon />} data-testid="access-host-warning">
                  {t("access.form.hostDiscouraged")}
                </Alert>
              )}
              <NativeSelect label={t("access.form.manager")} data={options(choices?.users ?? [], t("access.form.choose"))}
                value={form.manager} error={shown("manager", form.manager)} data-testid="access-manager"
                onChange={(e) => { set({ manager: e.currentTarget.value }); }} />
            </>
          )}
          {action === "invite" && (
            <>
              <NativeSelect label={t("access.form.user")} data={options(choices?.users ?? [], t("access.form.choose"))} value={form.user}
                error={shown("user", form.user)} data-testid="access-invite-user" onChange={(e) => { set({ user: e.currentTarget.value }); }} />
              <NativeSelect label={t("access.form.workspace")} data={options(choices?.workspaces ?? [], t("access.form.choose"))}
                value={form.workspace} error={shown("workspace", form.workspace)} data-testid="access-invite-workspace"
                onChange={(e) => { set({ workspace: e.currentTarget.value }); }} />
              <NativeSelect label={t("access.form.workspaceRole")} data={options(WORKSPACE_ROLES)} value={form.workspaceRole}
                data-testid="access-workspace-role" onChange={(e) => { set({ workspaceRole: e.currentTarget.value }); }} />
            </>
          )}
          <Text size="xs" c="orange.8" data-testid="access-host-write">
            {t("access.form.hostWrite", { host: form.host })}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("access.form.cancel")}
            </Button>
            <Button type="submit" data-testid="access-plan">
              {t("access.form.plan")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
