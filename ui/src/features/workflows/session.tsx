import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { Plan, WorkflowInput } from "../../ipc/bindings";
import { toIpcError, type IpcError } from "../../ipc/errors";
import { cancelRun, planWorkflow, queryKeys, startRun } from "../../ipc/queries";
import { SessionContext, type Stage } from "./sessionContext";
import { emptyForm, NO_PROGRESS, reduceProgress, type RunProgress, type WizardForm } from "./model";

/**
 * The one workflow session of the window, kept above the screens so a run goes on (and its
 * progress keeps arriving) while the user looks elsewhere.
 */
export function WorkflowSessionProvider({ children, onShow }: { children: ReactNode; onShow?: () => void }) {
  const client = useQueryClient();
  const [stage, setStage] = useState<Stage>({ kind: "form" });
  const [form, setForm] = useState<WizardForm>(() => emptyForm());
  const [progress, setProgress] = useState<RunProgress>(NO_PROGRESS);
  const [error, setError] = useState<IpcError | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const running = useRef<string | null>(null);
  // Planning a fix-it or resuming from Activity brings the workflow area forward.
  const show = useRef(onShow);
  useEffect(() => {
    show.current = onShow;
  }, [onShow]);

  const refreshRuns = useCallback(() => client.invalidateQueries({ queryKey: queryKeys.runs }), [client]);

  const plan = useCallback(
    async (input: WorkflowInput) => {
      setError(null);
      setStage({ kind: "planning" });
      show.current?.();
      try {
        const planned = await planWorkflow(input);
        setStage({ kind: "review", plan: planned });
      } catch (e) {
        setError(toIpcError(e));
        setStage({ kind: "form" });
      } finally {
        void refreshRuns();
      }
    },
    [refreshRuns],
  );

  const run = useCallback(
    async (runId: string, title: string, resume: boolean, back: Stage) => {
      if (running.current !== null) return;
      running.current = runId;
      setError(null);
      setCancelling(false);
      setProgress(NO_PROGRESS);
      setStage({ kind: "running", runId, title });
      show.current?.();
      try {
        const report = await startRun(runId, resume, (event) => {
          setProgress((p) => reduceProgress(p, event));
        });
        setProgress((p) => ({ ...p, report }));
        setStage({ kind: "report", runId, title });
      } catch (e) {
        setError(toIpcError(e));
        setStage(back);
      } finally {
        running.current = null;
        setCancelling(false);
        void refreshRuns();
      }
    },
    [refreshRuns],
  );

  const apply = useCallback((p: Plan) => run(p.id, p.title, false, { kind: "review", plan: p }), [run]);
  const resume = useCallback(
    (runId: string, title: string) => run(runId, title, true, { kind: "report", runId, title }),
    [run],
  );

  const cancel = useCallback(() => {
    const id = running.current;
    if (id === null) return;
    setCancelling(true);
    cancelRun(id).catch((e: unknown) => {
      setError(toIpcError(e));
      setCancelling(false);
    });
  }, []);

  const reset = useCallback(() => {
    if (running.current !== null) return;
    setError(null);
    setProgress(NO_PROGRESS);
    setStage({ kind: "form" });
  }, []);

  const value = useMemo(
    () => ({ stage, form, setForm, progress, error, cancelling, plan, apply, resume, cancel, reset }),
    [stage, form, progress, error, cancelling, plan, apply, resume, cancel, reset],
  );
  return <SessionContext value={value}>{children}</SessionContext>;
}
