import { lazyScreen } from "./lazyScreen";

// The overview is in the first chunk; every other screen is loaded when first opened, so the
// start-up script is smaller and the page parses and holds less before its first paint.
export const ClusterDetailScreen = lazyScreen(() => import("../features/cluster-detail/ClusterDetailScreen").then((m) => m.ClusterDetailScreen));
export const WorkflowsScreen = lazyScreen(() => import("../features/workflows/WorkflowsScreen").then((m) => m.WorkflowsScreen));
export const AccessScreen = lazyScreen(() => import("../features/access/AccessScreen").then((m) => m.AccessScreen));
export const ComponentsScreen = lazyScreen(() => import("../features/components/ComponentsScreen").then((m) => m.ComponentsScreen));
export const ActivityScreen = lazyScreen(() => import("../features/activity/ActivityScreen").then((m) => m.ActivityScreen));
export const VaultScreen = lazyScreen(() => import("../features/vault/VaultScreen").then((m) => m.VaultScreen));


// Parts of the overview's screen that only some moments need: the command palette (Ctrl+K),
// the demo scenario picker (switching estates), the welcome screen (an empty vault) and the
// dialog that adds a cluster to the vault.
export const PaletteDialog = lazyScreen(() => import("../features/palette/PaletteDialog").then((m) => m.PaletteDialog));
export const DemoScenarioForm = lazyScreen(() => import("../features/onboarding/DemoScenarioForm").then((m) => m.DemoScenarioForm));
export const WelcomeScreen = lazyScreen(() => import("../features/onboarding/WelcomeScreen").then((m) => m.WelcomeScreen));
export const AddClusterDialog = lazyScreen(() => import("../features/vault/AddClusterDialog").then((m) => m.AddClusterDialog));

/** Loads the code of every lazily loaded screen and part (tests, before rendering the app). */
export async function preloadScreens(): Promise<void> {
  await Promise.all(
    [ClusterDetailScreen, WorkflowsScreen, AccessScreen, ComponentsScreen, ActivityScreen, VaultScreen, PaletteDialog, DemoScenarioForm, WelcomeScreen, AddClusterDialog].map((s) =>
      s.preload(),
    ),
  );
}

