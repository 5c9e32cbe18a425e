export { ShadowMonitor } from './monitor.ts';
export { formatShadowReport, type ShadowReport, shadowReport } from './report.ts';
