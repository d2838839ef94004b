import { useCallback, useState } from "react";
import { Shell } from "../components/Shell";
import type { NavId } from "../components/Sidebar";
import { ClusterDetailScreen } from "../features/cluster-detail/ClusterDetailScreen";
import { EstateScreen } from "../features/clusters/EstateScreen";
import { VaultScreen } from "../features/vault/VaultScreen";

/** Which screen is on: the estate, one cluster of it, or the vault. */
export type Screen = { kind: "estate" } | { kind: "cluster"; name: string } | { kind: "vault" };

export function App() {
  const [screen, setScreen] = useState<Screen>({ kind: "estate" });
  const openCluster = useCallback((name: string) => {
    setScreen({ kind: "cluster", name });
  }, []);
  const navigate = (id: NavId) => {
    if (id === "estate" || id === "vault") setScreen({ kind: id });
  };
  return (
    <Shell active={screen.kind === "vault" ? "vault" : "estate"} onNavigate={navigate}>
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
      {screen.kind === "vault" && <VaultScreen />}
    </Shell>
  );
}
