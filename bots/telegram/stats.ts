// Moved to the platform-neutral rep actions.
export { repStats, startOfDay } from "../rep-actions/stats";
