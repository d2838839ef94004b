import { useCallback, useState } from "react";
import { Shell } from "../components/Shell";
import type { NavId } from "../components/Sidebar";
import { AccessScreen } from "../features/access/AccessScreen";
import type { AccessAction } from "../features/access/model";
import { ActivityScreen } from "../features/activity/ActivityScreen";
import { UnfinishedNotice } from "../features/activity/UnfinishedNotice";
import { ClusterDetailScreen } from "../features/cluster-detail/ClusterDetailScreen";
import { EstateScreen } from "../features/clusters/EstateScreen";
import { ComponentsScreen } from "../features/components/ComponentsScreen";
import { EstateProvider } from "../features/onboarding/EstateProvider";
import { CommandPalette } from "../features/palette/CommandPalette";
import { VaultScreen } from "../features/vault/VaultScreen";
import { WorkflowSessionProvider } from "../features/workflows/session";
import { WorkflowsScreen } from "../features/workflows/WorkflowsScreen";

/** Which screen is on: the estate, one cluster of it, the workflows, the activity, the vault. */
export type Screen =
  | { kind: "estate" }
  | { kind: "cluster"; name: string }
  | { kind: "workflows" }
  /** `intent`: an action to open at once; `at` remounts the screen for a new one. */
  | { kind: "access"; intent: AccessAction | null; at: number }
  | { kind: "components" }
  | { kind: "activity" }
  | { kind: "vault" };

export function App() {
  const [screen, setScreen] = useState<Screen>({ kind: "estate" });
  const openCluster = useCallback((name: string) => {
    setScreen({ kind: "cluster", name });
  }, []);
  const showEstate = useCallback(() => {
    setScreen({ kind: "estate" });
  }, []);
  const showWorkflows = useCallback(() => {
    setScreen({ kind: "workflows" });
  }, []);
  const navigate = (id: NavId) => {
    if (id === "access") setScreen({ kind: "access", intent: null, at: Date.now() });
    else setScreen({ kind: id });
  };
  const openAccess = useCallback((intent: AccessAction) => {
    setScreen({ kind: "access", intent, at: Date.now() });
  }, []);
  const active: NavId = screen.kind === "cluster" ? "estate" : screen.kind;
  return (
    // A switch of estate shows the new estate's overview.
    <EstateProvider onSwitched={showEstate}>
    <WorkflowSessionProvider onShow={showWorkflows}>
      <Shell active={active} onNavigate={navigate}>
        <UnfinishedNotice
          onOpenActivity={() => {
            setScreen({ kind: "activity" });
          }}
        />
        {screen.kind === "estate" && <EstateScreen onOpenCluster={openCluster} />}
        {screen.kind === "cluster" && (
          <ClusterDetailScreen
            key={screen.name}
            name={screen.name}
            onBack={() => {
              setScreen({ kind: "estate" });
            }}
          />
        )}
        {screen.kind === "workflows" && <WorkflowsScreen />}
        {screen.kind === "access" && <AccessScreen key={screen.at} intent={screen.intent} />}
        {screen.kind === "components" && <ComponentsScreen />}
        {screen.kind === "activity" && <ActivityScreen />}
        {screen.kind === "vault" && <VaultScreen />}
      </Shell>
      <CommandPalette onNavigate={navigate} onOpenCluster={openCluster} onAccess={openAccess} />
    </WorkflowSessionProvider>
    </EstateProvider>
  );
}
