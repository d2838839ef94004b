import { Accordion, Alert, Badge, Box, Button, Checkbox, Group, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { CommandBlock } from "../../components/CommandBlock";
import { AlertIcon } from "../../components/icons";
import type { Plan, Step } from "../../ipc/bindings";
import { gateOf, writesTo } from "./model";
import { ScriptButton } from "./ScriptModal";

interface PlanReviewProps {
  plan: Plan;
  hosts: readonly string[];
  onApply: () => void;
  onBack: () => void;
}

/** Step 2: the whole plan as it will run, then the confirmation it needs. */
export function PlanReview({ plan, hosts, onApply, onBack }: PlanReviewProps) {
  const { t } = useTranslation();
  const steps = plan.phases.reduce((n, p) => n + p.steps.length, 0);
  return (
    <Stack gap="lg" data-testid="plan-review">
      <Paper className="section" p="lg">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Box miw={0}>
            <Title order={2} size="h4" data-testid="plan-title">
              {plan.title}
            </Title>
            <Text size="sm" c="dimmed" mt={4}>
              {t("workflows.review.summary", { steps, phases: plan.phases.length, kept: plan.inventory.length })}
            </Text>
            <Text size="xs" c="dimmed" ff="monospace" mt={4}>
              {t("workflows.review.run", { id: plan.id.slice(0, 8), hash: plan.hash.slice(0, 12) })}
            </Text>
          </Box>
          <ScriptButton runId={plan.id} />
        </Group>
        {plan.warnings.length > 0 && (
          <Alert color="yellow" variant="light" icon={<AlertIcon />} mt="md" title={t("workflows.review.warnings")} data-testid="plan-warnings">
            <Stack gap={4}>
              {plan.warnings.map((w) => (
                <Text key={w} size="sm">
                  {w}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
        {plan.inventory.length > 0 && (
          <Text size="sm" mt="md" data-testid="plan-inventory">
            <strong>{t("workflows.review.kept")}</strong> {plan.inventory.map((n) => n.name).join(", ")}
          </Text>
        )}
      </Paper>

      {plan.phases.map((phase, index) => (
        <Paper key={`${String(index)}-${phase.title}`} className="section" component="section" aria-label={phase.title} data-testid={`plan-phase-${String(index)}`}>
          <Group justify="space-between" px="md" py="sm" className="section__header">
            <Title order={3} size="h6">
              {t("workflows.review.phase", { n: index + 1, title: phase.title })}
            </Title>
            <Group gap="xs">
              {phase.concurrent && (
                <Badge variant="light" color="gray">
                  {t("workflows.review.concurrent")}
                </Badge>
              )}
              <Badge variant="default">{t("workflows.review.steps", { count: phase.steps.length })}</Badge>
            </Group>
          </Group>
          <Stack gap={0}>
            {phase.steps.map((step) => (
              <StepItem key={step.id} step={step} hosts={hosts} />
            ))}
          </Stack>
        </Paper>
      ))}

      <ConfirmPanel plan={plan} hosts={hosts} onApply={onApply} onBack={onBack} />
    </Stack>
  );
}

/** One step: what it does, what changes (as a diff), the API request, and its kubectl twin. */
function StepItem({ step, hosts }: { step: Step; hosts: readonly string[] }) {
  const { t } = useTranslation();
  const target = writesTo(step.action);
  const kubectl = step.kubectl.join("\n");
  return (
    <Box px="md" py="sm" className="plan-step" data-testid={`plan-step-${String(step.id)}`}>
      <Group gap="xs" wrap="nowrap">
        <Badge variant="default" size="sm" miw={36}>
          {step.id + 1}
        </Badge>
        <Text size="sm" fw={600}>
          {step.title}
        </Text>
        {target !== null ? (
          <Badge size="xs" variant="light" color={hosts.includes(target) ? "orange" : "blue"}>
            {t(hosts.includes(target) ? "workflows.review.writesHost" : "workflows.review.writes", { cluster: target })}
          </Badge>
        ) : (
          <Badge size="xs" variant="light" color="gray">
            {t("workflows.review.readOnly")}
          </Badge>
        )}
      </Group>
      {step.changes.length > 0 && (
        <Box component="ul" className="diff" data-testid="step-changes" mt={6}>
          {step.changes.map((c, i) => (
            <li key={`${String(i)}-${c}`} className={c.startsWith("-") ? "diff__del" : c.startsWith("+") ? "diff__add" : undefined}>
              <Text span size="xs" ff="monospace">
                {c}
              </Text>
            </li>
          ))}
        </Box>
      )}
      <Text size="xs" c="dimmed" mt={4} ff="monospace">
        {step.request}
      </Text>
      {step.protects !== "" && (
        <Text size="xs" mt={4}>
          <strong>{t("workflows.review.protects")}</strong> {step.protects}
        </Text>
      )}
      {kubectl !== "" && (
        <Accordion variant="default" chevronPosition="left" mt={4}>
          <Accordion.Item value="kubectl">
            <Accordion.Control py={2} data-testid="step-kubectl-toggle">
              <Text size="xs">{t("workflows.review.kubectl")}</Text>
            </Accordion.Control>
            <Accordion.Panel>
              <CommandBlock commands={kubectl} mt={0} data-testid="step-kubectl" />
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      )}
    </Box>
  );
}

/**
 * The gate before a run: a destructive plan needs the member's name typed; a plan that writes
 * to a host needs a deliberate click per host.
 */
function ConfirmPanel({ plan, hosts, onApply, onBack }: PlanReviewProps) {
  const { t } = useTranslation();
  const gate = gateOf(plan, hosts);
  const [typed, setTyped] = useState("");
  const [hostsOk, setHostsOk] = useState<readonly string[]>([]);
  const nameOk = gate.typeName === null || typed.trim() === gate.typeName;
  const allHosts = gate.hostWrites.every((h) => hostsOk.includes(h));
  const ready = nameOk && allHosts;
  return (
    <Paper className="section" p="lg" data-testid="confirm-panel">
      <Stack gap="sm">
        <Title order={2} size="h5">
          {t("workflows.confirm.title")}
        </Title>
        {gate.typeName !== null && (
          <TextInput
            label={t("workflows.confirm.typeName", { name: gate.typeName })}
            description={t("workflows.confirm.typeNameHint")}
            value={typed}
            autoComplete="off"
            spellCheck={false}
            data-testid="confirm-name"
            onChange={(e) => {
              setTyped(e.currentTarget.value);
            }}
            error={typed !== "" && !nameOk ? t("workflows.confirm.nameMismatch") : undefined}
          />
        )}
        {gate.hostWrites.map((h) => (
          <Checkbox
            key={h}
            color="orange"
            label={t("workflows.confirm.hostWrite", { host: h })}
            data-testid={`confirm-host-${h}`}
            checked={hostsOk.includes(h)}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              setHostsOk((prev) => (on ? [...prev, h] : prev.filter((x) => x !== h)));
            }}
          />
        ))}
        {gate.typeName === null && gate.hostWrites.length === 0 && (
          <Text size="sm" c="dimmed">
            {t("workflows.confirm.safe")}
          </Text>
        )}
        <Group justify="space-between">
          <Button variant="default" onClick={onBack} data-testid="review-back">
            {t("workflows.review.back")}
          </Button>
          <Button color={gate.typeName !== null ? "red" : undefined} disabled={!ready} onClick={onApply} data-testid="apply-button">
            {t("workflows.confirm.apply")}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
