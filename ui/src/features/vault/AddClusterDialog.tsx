import { Alert, Badge, Button, Checkbox, Group, Modal, SegmentedControl, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState, type SyntheticEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import type { Acknowledgement, AddOutcome, ContextPreview, KubeconfigSource, Refusal } from "../../ipc/bindings";
import type { IpcError } from "../../ipc/errors";
import { queryKeys } from "../../ipc/queries";
import { KubeconfigFilePicker } from "./KubeconfigFilePicker";
import { addClusters, fetchContexts, nameProblem, requiredAcks, suggestName } from "./addCluster";
import { nextStepKey } from "./vaultErrors";

interface AddClusterDialogProps {
  /** Names already in the vault (checked inline; the core checks again). */
  existing: string[];
  onClose: () => void;
  /** Called with the names added when every chosen context was added. */
  onDone: (names: string[], pendingApproval: string[]) => void;
}

type SourceKind = "text" | "file" | "user";

/** `record` without the given keys. */
function without(record: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}

/** Why the vault refused something: its reason and the core's message (no secret in it). */
function RefusalNote({ refusal, testId }: { refusal: Refusal; testId: string }) {
  const { t } = useTranslation();
  return (
    <Alert color="red" variant="light" py="xs" data-testid={testId}>
      <Text size="sm">
        <Badge color="red" variant="outline" size="sm" mr="xs" data-testid={`${testId}-reason`}>
          {refusal.reason}
        </Badge>
        {refusal.error.message}
      </Text>
      <Text size="xs" c="dimmed" mt={4}>
        {t(nextStepKey(refusal.error.kind))}
      </Text>
    </Alert>
  );
}

/**
 * Adds clusters to the vault from a kubeconfig file picked in the native dialog, pasted text
 * or the user's kubeconfig: choose
 * contexts, name each, tick every acknowledgement they need, then seal. The pasted text stays
 * in this dialog's state only and is dropped when it closes.
 */
export function AddClusterDialog({ existing, onClose, onDone }: AddClusterDialogProps) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [kind, setKind] = useState<SourceKind>("text");
  const [text, setText] = useState("");
  const [path, setPath] = useState("");
  const [contexts, setContexts] = useState<ContextPreview[] | null>(null);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [acked, setAcked] = useState<Acknowledgement[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [outcomes, setOutcomes] = useState<AddOutcome[]>([]);

  const source = (): KubeconfigSource => {
    if (kind === "text") return { kind: "text", text };
    if (kind === "file") return { kind: "file", path };
    return { kind: "user" };
  };
  const chosenContexts = (contexts ?? []).filter((c) => c.name in chosen);
  const needed = requiredAcks(chosenContexts);
  const missingAcks = needed.filter((a) => !acked.includes(a));
  const names = chosenContexts.map((c) => (chosen[c.name] ?? "").trim());
  const problems = chosenContexts.map((_, i) =>
    nameProblem(names[i] ?? "", names.filter((_, j) => j !== i), existing),
  );
  const canAdd = chosenContexts.length > 0 && missingAcks.length === 0 && problems.every((p) => p === null) && !busy;

  const reset = () => {
    setContexts(null);
    setChosen({});
    setAcked([]);
    setError(null);
    setOutcomes([]);
  };

  const load = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const preview = await fetchContexts(source());
      setContexts(preview.contexts);
      const usable = preview.contexts.filter((c) => !c.refusal);
      const first = usable.find((c) => c.current) ?? usable[0];
      setChosen(first ? { [first.name]: suggestName(first.name) } : {});
    } catch (e) {
      setError(e as IpcError);
    } finally {
      setBusy(false);
    }
  };

  const add = async () => {
    if (!canAdd) return;
    setBusy(true);
    setError(null);
    try {
      const choices = chosenContexts.map((c, i) => ({ context: c.name, name: names[i] ?? "" }));
      const result = await addClusters(source(), choices, needed);
      // The vault and the vault estate ("My clusters") both changed.
      await client.invalidateQueries({ queryKey: queryKeys.vault });
      void client.invalidateQueries({ queryKey: queryKeys.fleet });
      const added = result.filter((o) => o.record);
      const pending = added.filter((o) => o.record?.exec).map((o) => o.record?.name ?? "");
      if (added.length === result.length) {
        setText("");
        onDone(
          added.map((o) => o.record?.name ?? ""),
          pending,
        );
        return;
      }
      setOutcomes(result);
      setChosen((prev) => without(prev, added.map((o) => o.context)));
    } catch (e) {
      setError(e as IpcError);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (c: ContextPreview, on: boolean) => {
    setChosen((prev) => (on ? { ...prev, [c.name]: suggestName(c.name) } : without(prev, [c.name])));
  };

  const problemText = (p: "invalid" | "duplicate" | "taken" | null) => (p ? t(`vault.add.name.${p}`) : null);

  return (
    <Modal opened onClose={onClose} title={t("vault.add.title")} size="lg" centered>
      {contexts === null ? (
        <form onSubmit={(e) => void load(e)} data-testid="add-source-form">
          <Stack gap="md">
            <SegmentedControl
              value={kind}
              onChange={(v) => {
                setKind(v);
                setError(null);
              }}
              data={[
                { value: "file", label: t("vault.add.source.file") },
                { value: "text", label: t("vault.add.source.text") },
                { value: "user", label: t("vault.add.source.user") },
              ]}
            />
            {kind === "text" ? (
              <Textarea
                data-autofocus
                label={t("vault.add.pasteLabel")}
                description={t("vault.add.pasteHint")}
                value={text}
                onChange={(e) => {
                  setText(e.currentTarget.value);
                }}
                rows={10}
                spellCheck={false}
                autoComplete="off"
                styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
              />
            ) : kind === "file" ? (
              <KubeconfigFilePicker path={path} onPick={setPath} />
            ) : (
              <Text size="sm" c="dimmed">
                {t("vault.add.userHint")}
              </Text>
            )}
            {error && <ErrorPanel title={t("vault.add.readFailed")} error={error} next={t(nextStepKey(error.kind))} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={onClose}>
                {t("vault.add.cancel")}
              </Button>
              <Button type="submit" loading={busy} disabled={(kind === "text" && text.trim() === "") || (kind === "file" && path === "")}>
                {t("vault.add.readContexts")}
              </Button>
            </Group>
          </Stack>
        </form>
      ) : (
        <Stack gap="md" data-testid="add-pick">
          <Text size="sm" fw={600}>
            {t("vault.add.contexts")}
          </Text>
          {contexts.length === 0 && <Text size="sm">{t("vault.add.noContexts")}</Text>}
          {contexts.map((c) => {
            const index = chosenContexts.indexOf(c);
            const outcome = outcomes.find((o) => o.context === c.name);
            return (
              <Stack key={c.name} gap={4} data-testid={`add-context-${c.name}`}>
                <Checkbox
                  label={
                    <Group gap="xs">
                      <Text size="sm" fw={500}>
                        {c.name}
                      </Text>
                      {c.current && (
                        <Badge size="xs" variant="light">
                          {t("vault.add.current")}
                        </Badge>
                      )}
                      {c.execCommand && (
                        <Badge size="xs" color="orange" variant="light">
                          {t("vault.add.execPending")}
                        </Badge>
                      )}
                      <Text size="xs" c="dimmed">
                        {c.server ?? c.cluster}
                      </Text>
                    </Group>
                  }
                  checked={index >= 0}
                  disabled={c.refusal !== null || outcome?.record != null}
                  onChange={(e) => {
                    toggle(c, e.currentTarget.checked);
                  }}
                />
                {c.refusal && <RefusalNote refusal={c.refusal} testId={`add-refusal-${c.name}`} />}
                {outcome?.refusal && <RefusalNote refusal={outcome.refusal} testId={`add-refusal-${c.name}`} />}
                {outcome?.record && (
                  <Text size="sm" c="ks" data-testid={`add-added-${c.name}`}>
                    {t("vault.add.addedAs", { name: outcome.record.name })}
                  </Text>
                )}
                {index >= 0 && (
                  <TextInput
                    ml="xl"
                    size="xs"
                    label={t("vault.add.name.label", { ctx: c.name })}
                    value={chosen[c.name] ?? ""}
                    onChange={(e) => {
                      const value = e.currentTarget.value;
                      setChosen((prev) => ({ ...prev, [c.name]: value }));
                    }}
                    error={problemText(problems[index] ?? null)}
                    spellCheck={false}
                    autoComplete="off"
                  />
                )}
              </Stack>
            );
          })}
          {needed.length > 0 && (
            <Stack gap="xs" data-testid="add-acks">
              <Text size="sm" fw={600}>
                {t("vault.add.acksTitle")}
              </Text>
              {needed.map((a) => (
                <Checkbox
                  key={a}
                  label={t(`vault.ackHint.${a}`)}
                  description={t("vault.add.ackWho", {
                    contexts: chosenContexts
                      .filter((c) => c.needsAcknowledgement.includes(a))
                      .map((c) => c.name)
                      .join(", "),
                  })}
                  checked={acked.includes(a)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setAcked((prev) => (on ? [...prev, a] : prev.filter((x) => x !== a)));
                  }}
                  data-testid={`add-ack-${a}`}
                />
              ))}
            </Stack>
          )}
          {chosenContexts.some((c) => c.execCommand) && (
            <Alert color="orange" variant="light" py="xs">
              <Text size="sm">{t("vault.add.execNote")}</Text>
            </Alert>
          )}
          {error && <ErrorPanel title={t("vault.add.addFailed")} error={error} next={t(nextStepKey(error.kind))} />}
          <Group justify="space-between" gap="xs">
            <Button variant="subtle" onClick={reset}>
              {t("vault.add.back")}
            </Button>
            <Group gap="xs">
              <Button variant="default" onClick={onClose}>
                {t("vault.add.cancel")}
              </Button>
              <Button onClick={() => void add()} loading={busy} disabled={!canAdd} data-testid="add-submit">
                {t("vault.add.submit", { count: chosenContexts.length })}
              </Button>
            </Group>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
