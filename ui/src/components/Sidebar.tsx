import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import {
  AccessIcon,
  ActivityIcon,
  ComponentsIcon,
  EstateIcon,
  LogoMark,
  VaultIcon,
  WorkflowIcon,
} from "./icons";

export type NavId = "estate" | "workflows" | "access" | "components" | "activity" | "vault";

interface NavItem {
  id: NavId;
  icon: ReactNode;
  /** Not built yet: shown so the shape of the product is visible, but inert. */
  soon: boolean;
}

const NAV: readonly NavItem[] = [
  { id: "estate", icon: <EstateIcon />, soon: false },
  { id: "workflows", icon: <WorkflowIcon />, soon: true },
  { id: "access", icon: <AccessIcon />, soon: true },
  { id: "components", icon: <ComponentsIcon />, soon: true },
  { id: "activity", icon: <ActivityIcon />, soon: true },
  { id: "vault", icon: <VaultIcon />, soon: true },
];

export function Sidebar({ active }: { active: NavId }) {
  const { t } = useTranslation();
  return (
    <aside className="sidebar">
      <div className="sidebar__brand">
        <LogoMark />
        <span className="sidebar__brand-text">
          <span className="sidebar__product">{t("app.name")}</span>
          <span className="sidebar__tagline">{t("app.tagline")}</span>
        </span>
      </div>
      <nav className="sidebar__nav" aria-label={t("nav.label")}>
        <ul>
          {NAV.map((item) => {
            const label = t(`nav.${item.id}`);
            const isActive = item.id === active;
            return (
              <li key={item.id}>
                <button
                  type="button"
                  className={isActive ? "nav-item is-active" : "nav-item"}
                  aria-current={isActive ? "page" : undefined}
                  disabled={item.soon}
                  title={item.soon ? `${label} · ${t("nav.soonHint")}` : label}
                  data-testid={`nav-${item.id}`}
                >
                  <span className="nav-item__icon">{item.icon}</span>
                  <span className="nav-item__label">{label}</span>
                  {item.soon && <span className="nav-item__soon">{t("nav.soon")}</span>}
                </button>
              </li>
            );
          })}
        </ul>
      </nav>
    </aside>
  );
}
