import { Alert, Button, Code, Group, Loader, Modal, Stack, Table, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import type { ExecReview } from "../../ipc/bindings";
import { useApproveExec, useExecReview } from "../../ipc/queries";
import { nextStepKey } from "./vaultErrors";

interface ExecReviewDialogProps {
  name: string;
  onClose: () => void;
  onDone: (name: string) => void;
}

/**
 * Shows exactly what approving a cluster's exec credential plugin approves (arguments and
 * environment values stay sealed), and approves that and nothing else.
 */
export function ExecReviewDialog({ name, onClose, onDone }: ExecReviewDialogProps) {
  const { t } = useTranslation();
  const review = useExecReview(name);
  const approve = useApproveExec();
  let body: ReactNode;
  if (review.data) {
    const r = review.data;
    body = (
      <>
        <ReviewTable review={r} />
        <Text size="sm" c="dimmed">
          {t("vault.exec.explain")}
        </Text>
        {r.fingerprint === null && (
          <Alert color="yellow" variant="light">
            <Text size="sm">{t("vault.exec.notResolvedHint")}</Text>
          </Alert>
        )}
        {r.approved && (
          <Alert color="ks" variant="light">
            <Text size="sm">{t("vault.exec.alreadyApproved")}</Text>
          </Alert>
        )}
        {approve.error && (
          <ErrorPanel title={t("vault.exec.approve")} error={approve.error} next={t(nextStepKey(approve.error.kind))} />
        )}
      </>
    );
  } else if (review.error) {
    body = (
      <ErrorPanel
        title={t("vault.exec.title", { name })}
        error={review.error}
        next={t(nextStepKey(review.error.kind))}
        onRetry={() => void review.refetch()}
        retrying={review.isFetching}
      />
    );
  } else {
    body = (
      <Group gap="xs">
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          {t("vault.exec.loading")}
        </Text>
      </Group>
    );
  }
  const fingerprint = review.data?.fingerprint ?? null;
  return (
    <Modal opened onClose={onClose} title={t("vault.exec.title", { name })} centered size="lg">
      <Stack gap="md">
        {body}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            {t("vault.rename.cancel")}
          </Button>
          <Button
            disabled={fingerprint === null || review.data?.approved === true}
            loading={approve.isPending}
            onClick={() => {
              if (fingerprint === null) return;
              approve.mutate(
                { name, fingerprint },
                {
                  onSuccess: () => {
                    onDone(name);
                  },
                },
              );
            }}
          >
            {t("vault.exec.approve")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ReviewTable({ review }: { review: ExecReview }) {
  const { t } = useTranslation();
  const rows: [string, ReactNode][] = [
    [t("vault.exec.command"), <Code key="c">{review.command}</Code>],
    [
      t("vault.exec.resolvedPath"),
      review.resolvedPath === null ? (
        <Text key="p" size="sm" c="red">
          {t("vault.exec.notResolved")}
        </Text>
      ) : (
        <Code key="p">{review.resolvedPath}</Code>
      ),
    ],
    [t("vault.exec.apiVersion"), <Code key="a">{review.apiVersion}</Code>],
    [t("vault.exec.args"), t("vault.exec.argsValue", { count: review.argCount })],
    [
      t("vault.exec.env"),
      review.envNames.length === 0 ? t("vault.exec.envNone") : t("vault.exec.envValues", { names: review.envNames.join(", ") }),
    ],
  ];
  return (
    <Table withTableBorder data-testid="exec-review">
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w="30%" fw={400} c="dimmed" fz="sm">
              {label}
            </Table.Th>
            <Table.Td fz="sm">{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
