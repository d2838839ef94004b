import { NativeSelect } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { LANGUAGES, currentLanguage, isLanguage, setLanguage } from "../i18n";
import { GlobeIcon } from "./icons";

/** English / 简体中文, switched at once. Each language is named in itself. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  // Read through i18n so the select follows changes made elsewhere.
  const value = isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : currentLanguage();
  return (
    <NativeSelect
      aria-label={t("topbar.language")}
      title={t("topbar.language")}
      size="xs"
      leftSection={<GlobeIcon width={16} height={16} />}
      value={value}
      data-testid="language-switch"
      onChange={(event) => {
        const next = event.currentTarget.value;
        if (isLanguage(next)) void setLanguage(next);
      }}
      data={LANGUAGES.map((lng) => ({ value: lng, label: t(`language.${lng}`) }))}
    />
  );
}
