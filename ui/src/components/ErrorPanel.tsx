import { Alert, Button, Group, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { AppError } from "../ipc/bindings";
import { errorHintKey, errorKindKey } from "../ipc/errors";
import { AlertIcon, RefreshIcon } from "./icons";

interface ErrorPanelProps {
  title: string;
  error: AppError;
  /** What to do next, in words; defaults to the hint of the error's kind. */
  next?: string;
  onRetry?: () => void;
  retryLabel?: string;
  retrying?: boolean;
  "data-testid"?: string;
}

/** A failure: what failed, why (kind, message, HTTP status), what to do, and a way to retry. */
export function ErrorPanel({ title, error, next, onRetry, retryLabel, retrying = false, ...rest }: ErrorPanelProps) {
  const { t } = useTranslation();
  return (
    <Alert
      color="red"
      variant="light"
      title={title}
      icon={<AlertIcon />}
      data-testid={rest["data-testid"] ?? "error-panel"}
    >
      <Group gap="xs" mb={4}>
        <Text fw={600} size="sm">
          {t(errorKindKey(error.kind))}
        </Text>
        {error.status !== null && (
          <Text size="sm" c="dimmed">
            {t("errors.status", { status: error.status })}
          </Text>
        )}
      </Group>
      <Text size="sm" className="error-message">
        {error.message}
      </Text>
      <Text size="sm" c="dimmed" mt={4}>
        {next ?? t(errorHintKey(error.kind))}
      </Text>
      {onRetry && (
        <Button
          mt="sm"
          size="xs"
          variant="light"
          color="red"
          leftSection={<RefreshIcon />}
          loading={retrying}
          onClick={onRetry}
        >
          {retryLabel ?? t("estate.retry")}
        </Button>
      )}
    </Alert>
  );
}
