import { useMemo } from "react";
import { useTranslation } from "react-i18next";

/** Number and time formatters for the active language. */
export function useFormat() {
  const { i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  return useMemo(() => {
    const integer = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
    const time = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    return {
      integer: (value: number) => integer.format(value),
      time: (epochMs: number) => time.format(new Date(epochMs)),
    };
  }, [language]);
}
