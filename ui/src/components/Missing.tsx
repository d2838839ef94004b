import { useTranslation } from "react-i18next";

/** An empty cell: a dash for the eye, words for screen readers. */
export function Missing() {
  const { t } = useTranslation();
  return (
    <>
      <span className="dash" aria-hidden="true">
        —
      </span>
      <span className="sr-only">{t("clusters.notAvailable")}</span>
    </>
  );
}
