import { useHotkeys } from "@mantine/hooks";
import { Suspense, useState } from "react";
import { PaletteDialog } from "../../app/screens";
import type { NavId } from "../../components/Sidebar";
import type { AccessAction } from "../access/model";

export interface CommandPaletteProps {
  onNavigate: (id: NavId) => void;
  onOpenCluster: (name: string) => void;
  onAccess: (action: AccessAction) => void;
}

/**
 * Ctrl+K / ⌘K: go to a screen or a cluster, start a workflow or an access action, switch the
 * language or the theme. Arrow keys move, Enter runs, Escape closes.
 */
export function CommandPalette(props: CommandPaletteProps) {
  const [opened, setOpened] = useState(false);
  useHotkeys([["mod+K", () => { setOpened((o) => !o); }]], []);
  // The dialog's code (Combobox, Modal, the commands) is loaded when it first opens.
  return opened ? (
    <Suspense fallback={null}>
      <PaletteDialog {...props} onClose={() => { setOpened(false); }} />
    </Suspense>
  ) : null;
}

