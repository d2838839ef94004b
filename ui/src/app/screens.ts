import { lazyScreen } from "./lazyScreen";

// The overview is in the first chunk; every other screen is loaded when first opened, so the
// start-up script is smaller and the page parses and holds less before its first paint.
export const ClusterDetailScreen = lazyScreen(() => import("../features/cluster-detail/ClusterDetailScreen").then((m) => m.ClusterDetailScreen));
export const WorkflowsScreen = lazyScreen(() => import("../features/workflows/WorkflowsScreen").then((m) => m.WorkflowsScreen));
export const AccessScreen = lazyScreen(() => import("../features/access/AccessScreen").then((m) => m.AccessScreen));
export const ComponentsScreen = lazyScreen(() => import("../features/components/ComponentsScreen").then((m) => m.ComponentsScreen));
export const ActivityScreen = lazyScreen(() => import("../features/activity/ActivityScreen").then((m) => m.ActivityScreen));
export const VaultScreen = lazyScreen(() => import("../features/vault/VaultScreen").then((m) => m.VaultScreen));

/** Loads the code of every lazily loaded screen (tests, before rendering the app). */
export async function preloadScreens(): Promise<void> {
  await Promise.all([ClusterDetailScreen, WorkflowsScreen, AccessScreen, ComponentsScreen, ActivityScreen, VaultScreen].map((s) => s.preload()));
}

