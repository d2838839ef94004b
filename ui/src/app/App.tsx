import { Loader } from "@mantine/core";
import { Suspense, useCallback, useEffect, useState } from "react";
import { Shell } from "../components/Shell";
import type { NavId } from "../components/Sidebar";
import type { AccessAction } from "../features/access/model";
import { UnfinishedNotice } from "../features/activity/UnfinishedNotice";
import { EstateScreen } from "../features/clusters/EstateScreen";
import { EstateProvider } from "../features/onboarding/EstateProvider";
import { CommandPalette } from "../features/palette/CommandPalette";
import { WorkflowSessionProvider } from "../features/workflows/session";
import { markStartup } from "./painted";
import { AccessScreen, ActivityScreen, ClusterDetailScreen, ComponentsScreen, VaultScreen, WorkflowsScreen } from "./screens";

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
  useEffect(() => {
    markStartup("first-commit");
  }, []);
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
        <Suspense fallback={<Loader size="sm" m="xl" />}>
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
        </Suspense>
      </Shell>
      <CommandPalette onNavigate={navigate} onOpenCluster={openCluster} onAccess={openAccess} />
    </WorkflowSessionProvider>
    </EstateProvider>
  );
}
