import type { ReactNode } from "react";

interface IconButtonProps {
  /** Accessible name: icon buttons have no visible text. */
  label: string;
  icon: ReactNode;
  onClick: () => void;
  busy?: boolean;
  disabled?: boolean;
}

export function IconButton({ label, icon, onClick, busy = false, disabled = false }: IconButtonProps) {
  return (
    <button
      type="button"
      className={busy ? "icon-button is-busy" : "icon-button"}
      aria-label={label}
      title={label}
      aria-busy={busy}
      disabled={disabled}
      onClick={onClick}
    >
      {icon}
    </button>
  );
}
