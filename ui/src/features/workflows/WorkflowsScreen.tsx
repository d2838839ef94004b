import { Button, Skeleton, Stack } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorPanel } from "../../components/ErrorPanel";
import { TopBar } from "../../components/TopBar";
import { useFleet } from "../../ipc/queries";
import { choicesOf } from "./model";
import { PlanReview } from "./PlanReview";
import { RunProgressView } from "./RunProgressView";
import { RunReportCard } from "./RunReportCard";
import { useWorkflowSession } from "./sessionContext";
import { WizardForm } from "./WizardForm";

/**
 * The guided workflows: choose → review the plan → confirm → watch it run → its report. A
 * finding's fix-it and a resume from Activity land on the same review and progress.
 */
export function WorkflowsScreen() {
  const { t } = useTranslation();
  const session = useWorkflowSession();
  const fleet = useFleet();
  const { stage, error } = session;
  const choices = fleet.data ? choicesOf(fleet.data) : null;
  const hosts = choices?.hosts ?? [];

  const refusal = error && (
    <ErrorPanel
      title={t(stage.kind === "form" ? "workflows.errors.plan" : "workflows.errors.apply")}
      error={error}
      // An import's preflight refusal is not a conflict to retry: say how to fix it here.
      next={error.kind === "PreflightFailed" ? t("workflows.errors.preflight") : undefined}
      data-testid="workflow-error"
    />
  );

  let body;
  switch (stage.kind) {
    case "form":
    case "planning":
      body = choices ? (
        <WizardForm
          form={session.form}
          choices={choices}
          onChange={session.setForm}
          onPlan={(input) => void session.plan(input)}
          planning={stage.kind === "planning"}
        />
      ) : fleet.error ? (
        <ErrorPanel title={t("estate.errorTitle")} error={fleet.error} onRetry={() => void fleet.refetch()} />
      ) : (
        <Skeleton h={320} />
      );
      break;
    case "review":
      body = <PlanReview plan={stage.plan} hosts={hosts} onApply={() => void session.apply(stage.plan)} onBack={session.reset} />;
      break;
    case "running":
      body = (
        <RunProgressView title={stage.title} progress={session.progress} cancelling={session.cancelling} onCancel={session.cancel} />
      );
      break;
    case "report":
      body = session.progress.report ? (
        <RunReportCard
          title={stage.title}
          report={session.progress.report}
          progress={session.progress}
          onResume={() => void session.resume(stage.runId, stage.title)}
          onDone={() => {
            session.reset();
            void fleet.refetch();
          }}
        />
      ) : (
        <Button variant="default" onClick={session.reset} data-testid="report-done">
          {t("workflows.report.done")}
        </Button>
      );
      break;
  }
  return (
    <>
      <TopBar title={t("workflows.title")} />
      <Stack gap="lg" p="xl" className="content" data-testid="workflows-screen">
        {refusal}
        {body}
      </Stack>
    </>
  );
}
