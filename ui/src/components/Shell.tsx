import { AppShell } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Sidebar, type NavId } from "./Sidebar";

interface ShellProps {
  active: NavId;
  onNavigate: (id: NavId) => void;
  children: ReactNode;
}

/** The window frame: navigation on the left, the active screen on the right. */
export function Shell({ active, onNavigate, children }: ShellProps) {
  const { t } = useTranslation();
  return (
    <AppShell navbar={{ width: 232, breakpoint: 0 }} padding={0}>
      <a className="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <AppShell.Navbar className="sidebar">
        <Sidebar active={active} onNavigate={onNavigate} />
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1} className="main">
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
