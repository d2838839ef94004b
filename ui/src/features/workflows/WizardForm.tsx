import {
  ActionIcon,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { TrashIcon } from "../../components/icons";
import { useFleet } from "../../ipc/queries";
import { ClusterNameField } from "./ClusterNameField";
import { ImportPreflight } from "./ImportPreflight";
import type { WorkflowInput } from "../../ipc/bindings";
import {
  type Choices,
  type FormErrors,
  type InvalidKey,
  type Pair,
  type WizardForm as Form,
  WIZARD_KINDS,
  clusterNameOf,
  toInput,
  usesClusterName,
  validate,
  withMember,
} from "./model";

interface WizardFormProps {
  form: Form;
  choices: Choices;
  onChange: (form: Form) => void;
  onPlan: (input: WorkflowInput) => void;
  planning: boolean;
}

/** Step 1: which workflow, which clusters, which options — validated as they are typed. */
export function WizardForm({ form, choices, onChange, onPlan, planning }: WizardFormProps) {
  const { t } = useTranslation();
  const fleet = useFleet();
  // Errors show once a field was touched, or after a first attempt to plan.
  const [tried, setTried] = useState(false);
  const errors: FormErrors = validate(form, choices);
  const valid = Object.keys(errors).length === 0;
  const shown = (field: keyof FormErrors, touched: boolean) => {
    const key: InvalidKey | undefined = errors[field];
    return key && (tried || touched) ? t(`workflows.invalid.${key}`) : undefined;
  };
  const set = (patch: Partial<Form>) => {
    onChange({ ...form, ...patch });
  };
  const clusterOptions = (names: readonly string[], placeholder: string) => [
    { value: "", label: placeholder },
    ...names.map((n) => ({ value: n, label: n })),
  ];
  const movesMember = form.kind === "unbind" || form.kind === "migrate";
  const hostLabel = form.kind === "migrate" ? t("workflows.form.newHost") : t("workflows.form.host");
  const projects = choices.projects.get(form.member) ?? [];

  return (
    <Paper className="section" p="lg" component="form" aria-label={t("workflows.form.title")} data-testid="wizard-form"
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (valid) onPlan(toInput(form));
      }}
    >
      <Stack gap="md">
        <Title order={2} size="h5">
          {t("workflows.form.title")}
        </Title>
        <SegmentedControl
          aria-label={t("workflows.form.workflow")}
          data-testid="wizard-kind"
          value={form.kind}
          onChange={(v) => {
            set({ kind: v });
          }}
          data={WIZARD_KINDS.map((k) => ({ value: k, label: t(`workflows.kind.${k}`) }))}
        />
        <Text size="sm" c="dimmed">
          {t(`workflows.about.${form.kind}`)}
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <NativeSelect
            label={t("workflows.form.member")}
            description={t("workflows.form.memberHint")}
            data-testid="field-member"
            value={form.member}
            error={shown("member", form.member !== "")}
            onChange={(e) => {
              onChange(withMember(form, choices, e.currentTarget.value));
            }}
            data={clusterOptions(choices.members, t("workflows.form.choose"))}
          />
          {movesMember && (
            <NativeSelect
              label={t("workflows.form.oldHost")}
              description={t("workflows.form.oldHostHint")}
              data-testid="field-old-host"
              value={form.oldHost}
              error={shown("oldHost", true)}
              onChange={(e) => {
                set({ oldHost: e.currentTarget.value });
              }}
              data={clusterOptions(choices.hosts, t("workflows.form.hostGone"))}
            />
          )}
          {form.kind !== "unbind" && (
            <NativeSelect
              label={hostLabel}
              data-testid="field-host"
              value={form.host}
              error={shown("host", form.host !== "")}
              onChange={(e) => {
                set({ host: e.currentTarget.value });
              }}
              data={clusterOptions(choices.hosts, t("workflows.form.choose"))}
            />
          )}
        </SimpleGrid>

        {usesClusterName(form) && <ClusterNameField form={form} error={shown("clusterName", form.clusterName !== "")} onChange={set} />}

        {movesMember && form.member !== "" && (
          <Stack gap={6}>
            <Checkbox
              label={t("workflows.form.keepAll", { count: projects.length })}
              data-testid="field-keep-all"
              checked={form.projects === null}
              onChange={(e) => {
                set({ projects: e.currentTarget.checked ? null : projects.map((p) => p.name) });
              }}
            />
            {form.projects !== null && (
              <Checkbox.Group
                label={t("workflows.form.projects")}
                value={form.projects}
                error={shown("projects", true)}
                onChange={(v) => {
                  set({ projects: v });
                }}
              >
                <Group gap="md" mt={4}>
                  {projects.map((p) => (
                    <Checkbox key={p.name} value={p.name} label={`${p.name} (${p.workspace})`} />
                  ))}
                </Group>
              </Checkbox.Group>
            )}
          </Stack>
        )}

        {form.kind === "migrate" && form.member !== "" && (
          <PairsEditor
            title={t("workflows.form.workspaceMap")}
            hint={t("workflows.form.workspaceMapHint")}
            fromLabel={t("workflows.form.oldWorkspace")}
            toLabel={t("workflows.form.newWorkspace")}
            pairs={form.workspaceMap}
            fixedFrom
            error={shown("workspaceMap", true)}
            testid="workspace-map"
            onChange={(workspaceMap) => {
              set({ workspaceMap });
            }}
          />
        )}

        {form.kind === "rebind" && (
          <PairsEditor
            title={t("workflows.form.bindings")}
            hint={t("workflows.form.bindingsHint")}
            fromLabel={t("workflows.form.namespace")}
            toLabel={t("workflows.form.workspace")}
            pairs={form.bindings}
            error={shown("bindings", form.bindings.some((b) => b.from !== "" && b.to !== ""))}
            testid="bindings"
            onChange={(bindings) => {
              set({ bindings });
            }}
          />
        )}

        {form.kind === "import" && (
          <Switch
            label={t("workflows.form.fix")}
            description={t("workflows.form.fixHint")}
            data-testid="field-fix"
            checked={form.fix}
            onChange={(e) => {
              set({ fix: e.currentTarget.checked });
            }}
          />
        )}

        {movesMember && (
          <NumberInput
            label={t("workflows.form.settle")}
            description={t("workflows.form.settleHint")}
            data-testid="field-settle"
            w={240}
            min={0}
            max={600}
            allowDecimal={false}
            value={form.settleSeconds}
            error={shown("settleSeconds", true)}
            onChange={(v) => {
              set({ settleSeconds: typeof v === "number" ? v : Number.NaN });
            }}
          />
        )}

        {form.kind === "import" && (
          <ImportPreflight
            host={form.host}
            member={form.member}
            // The name the plan imports under: the typed one, else the recorded one, if any.
            name={clusterNameOf(form, fleet.data)}
            ready={
              form.host !== "" &&
              form.member !== "" &&
              errors.host === undefined &&
              errors.member === undefined &&
              errors.clusterName === undefined
            }
          />
        )}

        <Group justify="flex-end">
          <Button type="submit" loading={planning} data-testid="plan-button">
            {t("workflows.form.plan")}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

interface PairsEditorProps {
  title: string;
  hint: string;
  fromLabel: string;
  toLabel: string;
  pairs: Pair[];
  /** The left side is given (the member's workspaces), not typed. */
  fixedFrom?: boolean;
  error: string | undefined;
  testid: string;
  onChange: (pairs: Pair[]) => void;
}

function PairsEditor({ title, hint, fromLabel, toLabel, pairs, fixedFrom = false, error, testid, onChange }: PairsEditorProps) {
  const { t } = useTranslation();
  const update = (i: number, patch: Partial<Pair>) => {
    onChange(pairs.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  };
  return (
    <Stack gap={6} data-testid={testid}>
      <Text size="sm" fw={500}>
        {title}
      </Text>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
      {pairs.map((p, i) => (
        <Group key={fixedFrom ? p.from : i} gap="xs" wrap="nowrap" align="flex-end">
          <TextInput
            aria-label={`${fromLabel} ${String(i + 1)}`}
            placeholder={fromLabel}
            value={p.from}
            readOnly={fixedFrom}
            data-testid={`${testid}-from-${String(i)}`}
            onChange={(e) => {
              update(i, { from: e.currentTarget.value.trim() });
            }}
          />
          <Text aria-hidden="true">→</Text>
          <TextInput
            aria-label={`${toLabel} ${String(i + 1)}`}
            placeholder={toLabel}
            value={p.to}
            data-testid={`${testid}-to-${String(i)}`}
            onChange={(e) => {
              update(i, { to: e.currentTarget.value.trim() });
            }}
          />
          {!fixedFrom && (
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={t("workflows.form.removeRow")}
              onClick={() => {
                onChange(pairs.filter((_, j) => j !== i));
              }}
            >
              <TrashIcon width={16} height={16} />
            </ActionIcon>
          )}
        </Group>
      ))}
      {!fixedFrom && (
        <Group>
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => {
              onChange([...pairs, { from: "", to: "" }]);
            }}
          >
            {t("workflows.form.addRow")}
          </Button>
        </Group>
      )}
      {error && (
        <Text size="xs" c="red" role="alert">
          {error}
        </Text>
      )}
    </Stack>
  );
}
