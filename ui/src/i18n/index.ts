import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";

/**
 * The catalogues other than English, each loaded (its own chunk) only when chosen. Fails to
 * compile if zh-CN.json lacks a key that en.json has.
 */
const catalogues: Record<"zh-CN", () => Promise<typeof en>> = {
  "zh-CN": () => import("./zh-CN.json").then((m) => m.default),
};

export type Language = "en" | keyof typeof catalogues;
export const LANGUAGES: Language[] = ["en", "zh-CN"];
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

/** Makes the strings of `language` available (English always is). */
export async function loadLanguage(language: Language): Promise<void> {
  if (language === "en" || i18n.hasResourceBundle(language, "translation")) return;
  i18n.addResourceBundle(language, "translation", await catalogues[language]());
}

/** Switches the UI language and remembers it for the next start. */
export async function setLanguage(language: Language): Promise<void> {
  await loadLanguage(language);
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

/** The language the UI starts in; `main.tsx` loads its strings before the first render. */
export const initialLanguage = detectLanguage();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en } },
  lng: initialLanguage,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: LANGUAGES,
  // Never fetch anything: all strings ship with the app (strict CSP, offline app); the other
  // catalogues are bundled chunks that `loadLanguage` imports.
  initAsync: false,
  interpolation: { escapeValue: false }, // React already escapes.
  returnNull: false,
  react: { useSuspense: false },
});

/** Loads the strings of the start-up language when it is not English; English on failure. */
export async function loadInitialLanguage(): Promise<void> {
  if (initialLanguage === "en") return;
  try {
    await loadLanguage(initialLanguage);
    await i18n.changeLanguage(initialLanguage);
  } catch {
    await i18n.changeLanguage(DEFAULT_LANGUAGE);
  }
}

export default i18n;
