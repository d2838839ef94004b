import { useMemo } from "react";
import { useTranslation } from "react-i18next";

/** Number and time formatters for the active language. */
export function useFormat() {
  const { i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  return useMemo(() => {
    const integer = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
    const time = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    const date = new Intl.DateTimeFormat(language, { year: "numeric", month: "short", day: "numeric" });
    const dateTime = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });
    return {
      integer: (value: number) => integer.format(value),
      time: (epochMs: number) => time.format(new Date(epochMs)),
      /** An RFC 3339 timestamp as a date; the text itself when it does not parse. */
      date: (rfc3339: string) => {
        const d = new Date(rfc3339);
        return Number.isNaN(d.getTime()) ? rfc3339 : date.format(d);
      },
      dateTime: (rfc3339: string) => {
        const d = new Date(rfc3339);
        return Number.isNaN(d.getTime()) ? rfc3339 : dateTime.format(d);
      },
    };
  }, [language]);
}
