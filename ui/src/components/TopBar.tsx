import type { ReactNode } from "react";

interface TopBarProps {
  title: string;
  /** Badges and the estate label, next to the title. */
  context?: ReactNode;
  /** Buttons on the right. */
  actions?: ReactNode;
}

export function TopBar({ title, context, actions }: TopBarProps) {
  return (
    <header className="topbar">
      <div className="topbar__lead">
        <h1 className="topbar__title">{title}</h1>
        {context && <div className="topbar__context">{context}</div>}
      </div>
      {actions && <div className="topbar__actions">{actions}</div>}
    </header>
  );
}
