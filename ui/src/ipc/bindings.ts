// This file is generated from Rust by tauri-specta. Do not edit.
import { invoke as TAURI_INVOKE } from "@tauri-apps/api/core";
export const commands = {
  /** Facts of every cluster of the open estate. */
  async listClusters(): Promise<Result<EstateView, AppError>> {
    try { return { status: "ok", data: await TAURI_INVOKE("list_clusters") }; }
    catch (e) { if (e instanceof Error) throw e; else return { status: "error", error: e as any }; }
  },
};
export type AppError = { kind: ErrorKind; message: string; status: number | null };
export type ErrorKind = "NotFound" | "Unauthorized" | "Forbidden" | "Conflict" | "Invalid" | "Unreachable" | "Timeout" | "KeyringUnavailable" | "Internal";
export type ClusterRole = "host" | "member" | "none" | "unknown";
export type ClusterSummary = {
  name: string;            // e.g. "host", "member-1"
  server: string;          // API server URL, e.g. "https://127.0.0.1:36111"
  role: ClusterRole;       // KubeSphere multi-cluster role from ClusterConfiguration
  kubernetesVersion: string | null;  // e.g. "v1.32.4"
  kubesphereVersion: string | null;  // e.g. "v3.4.1" (null = KubeSphere not found)
  namespaceCount: number | null;
  latencyMs: number | null;          // round trip of the version call
  error: AppError | null;            // set when the cluster could not be read (unreachable, 401…): row shows the problem instead of facts
};
export type EstateView = {
  source: "demo" | "directory";      // demo = the built-in simulated estate
  label: string;                     // e.g. "Demo estate (simulated)" or a directory path
  clusters: ClusterSummary[];
};
export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };
