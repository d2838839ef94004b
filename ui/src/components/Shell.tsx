import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Sidebar, type NavId } from "./Sidebar";

/** The window frame: sidebar on the left, the active screen on the right. */
export function Shell({ active, children }: { active: NavId; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <Sidebar active={active} />
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
