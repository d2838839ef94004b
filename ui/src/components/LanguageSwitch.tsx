import { useId } from "react";
import { useTranslation } from "react-i18next";
import { LANGUAGES, currentLanguage, isLanguage, setLanguage } from "../i18n";
import { GlobeIcon } from "./icons";

/** English / 简体中文. Each language is named in itself, so anyone can find theirs. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const id = useId();
  // Read through i18n so the select follows changes made elsewhere.
  const value = isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : currentLanguage();
  return (
    <div className="language-switch">
      <label htmlFor={id} className="sr-only">
        {t("topbar.language")}
      </label>
      <GlobeIcon className="icon language-switch__icon" />
      <select
        id={id}
        className="language-switch__select"
        value={value}
        title={t("topbar.language")}
        data-testid="language-switch"
        onChange={(event) => {
          const next = event.target.value;
          if (isLanguage(next)) void setLanguage(next);
        }}
      >
        {LANGUAGES.map((lng) => (
          <option key={lng} value={lng} lang={lng}>
            {t(`language.${lng}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
