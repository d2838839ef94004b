import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import zhCNJson from "./zh-CN.json";

// Fails to compile if zh-CN.json lacks a key that en.json has.
const zhCN: typeof en = zhCNJson;

export const resources = {
  en: { translation: en },
  "zh-CN": { translation: zhCN },
} as const;

export type Language = keyof typeof resources;
export const LANGUAGES = Object.keys(resources) as Language[];
export const DEFAULT_LANGUAGE: Language = "en";

const STORAGE_KEY = "ksmc.language";

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof en };
  }
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as string[]).includes(value);
}

/** The saved choice, else the system language when we have it, else English. */
export function detectLanguage(): Language {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (isLanguage(saved)) return saved;
  } catch {
    // Storage can be unavailable (private mode, tests); fall through.
  }
  const preferred = typeof navigator === "undefined" ? [] : navigator.languages;
  for (const tag of preferred) {
    if (tag.toLowerCase().startsWith("zh")) return "zh-CN";
    if (tag.toLowerCase().startsWith("en")) return "en";
  }
  return DEFAULT_LANGUAGE;
}

/** Switches the UI language and remembers it for the next start. */
export async function setLanguage(language: Language): Promise<void> {
  await i18n.changeLanguage(language);
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not remembering the choice is acceptable.
  }
}

/** The active language, narrowed to the ones we ship. */
export function currentLanguage(): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : DEFAULT_LANGUAGE;
}

i18n.on("languageChanged", (lng) => {
  if (typeof document !== "undefined") document.documentElement.lang = lng;
});

void i18n.use(initReactI18next).init({
  resources,
  lng: detectLanguage(),
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: LANGUAGES,
  // Never load anything: all strings ship in the bundle (strict CSP, offline app).
  initAsync: false,
  interpolation: { escapeValue: false }, // React already escapes.
  returnNull: false,
  react: { useSuspense: false },
});

export default i18n;
