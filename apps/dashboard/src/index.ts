export { startDashboard, type Dashboard, type DashboardOptions } from './dashboard.js';
export { sessionsFromAdmin, type SessionRow } from './admin-sessions.js';
export type { MetricsPoint, HostMetrics } from './metrics-collector.js';
export type { ActivityEvent, ActivityKind } from './activity.js';
export type { InstanceView } from './services-view.js';
export type { GroupView } from './group-paths.js';
