import { createContext, use } from "react";
import type { Plan, WorkflowInput } from "../../ipc/bindings";
import type { IpcError } from "../../ipc/errors";
import type { RunProgress, WizardForm } from "./model";

/** Where the workflow area is: the form, a plan under review, a run going, its report. */
export type Stage =
  | { kind: "form" }
  | { kind: "planning" }
  | { kind: "review"; plan: Plan }
  | { kind: "running"; runId: string; title: string }
  | { kind: "report"; runId: string; title: string };

export interface Session {
  stage: Stage;
  form: WizardForm;
  setForm: (form: WizardForm) => void;
  progress: RunProgress;
  /** The last refusal (planning, or a run refused before any write). */
  error: IpcError | null;
  cancelling: boolean;
  plan: (input: WorkflowInput) => Promise<void>;
  apply: (plan: Plan) => Promise<void>;
  resume: (runId: string, title: string) => Promise<void>;
  cancel: () => void;
  /** Back to the form (keeps what was typed). */
  reset: () => void;
}

export const SessionContext = createContext<Session | null>(null);

/** The session, or `null` where there is none (a component rendered on its own). */
export function useOptionalWorkflowSession(): Session | null {
  return use(SessionContext);
}

export function useWorkflowSession(): Session {
  const session = use(SessionContext);
  if (!session) throw new Error("useWorkflowSession outside WorkflowSessionProvider");
  return session;
}
