import { useState } from "react";
import { useTranslation } from "react-i18next";

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => {
        setState("copied");
      },
      () => {
        setState("failed");
      },
    );
    window.setTimeout(() => {
      setState("idle");
    }, 2000);
  };
  return (
    <button type="button" className="button button--secondary button--small copy-button" onClick={copy}>
      <span aria-live="polite">
        {state === "copied" ? t("findings.copied") : state === "failed" ? t("findings.copyFailed") : t("findings.copy")}
      </span>
    </button>
  );
}
