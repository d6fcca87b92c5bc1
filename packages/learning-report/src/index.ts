export { writeLearningReport, gateVerdictsOfState, timelineEventsOfState, type WriteLearningReportOptions } from './write-learning-report';
export { renderVegaLiteSvg, chartConfig, CHART_FONT, type VegaLiteSpec } from './render-chart';
export { renderLearningReport, escapeHtml, verdictOf, type RenderReportOptions, type Verdict } from './render-report';
export {
  addExperienceToReport,
  collectReportData,
  emptyReportData,
  MAX_SESSION_BUCKETS,
  type ReportData,
  type SessionBucket,
  type SourceTotals,
  type ModelTotals,
  type LearningCurve,
  type DriftRow,
} from './report-data';
export { readLearningCurves, RUN_NAME_SEPARATOR } from './learning-curves';
export {
  parseReportExtras,
  reportExtrasSchema,
  gateVerdictSchema,
  heldOutPolicySchema,
  timelineEventSchema,
  timelineEventKinds,
  type ReportExtras,
  type ReportExtrasInput,
  type GateVerdict,
  type HeldOutPolicy,
  type TimelineEvent,
  type TimelineEventKind,
} from './report-input';
