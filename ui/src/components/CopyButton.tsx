import { Button } from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = window.setTimeout(() => {
      setState("idle");
    }, 2000);
    return () => {
      window.clearTimeout(timer);
    };
  }, [state]);
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => {
        setState("copied");
      },
      () => {
        setState("failed");
      },
    );
  };
  return (
    <Button
      size="compact-xs"
      variant="default"
      color={state === "failed" ? "red" : undefined}
      onClick={copy}
      className="copy-button"
    >
      <span aria-live="polite">
        {state === "copied" ? t("findings.copied") : state === "failed" ? t("findings.copyFailed") : t("findings.copy")}
      </span>
    </Button>
  );
}
