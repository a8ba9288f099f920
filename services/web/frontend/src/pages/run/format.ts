// How the run pages print times: local date-time, and durations a person reads at a glance.

export function formatTime(ms: number | undefined): string {
  if (!ms) return "—";
  return new Date(ms).toLocaleString();
}

export function formatDuration(startMs: number | undefined, endMs: number | undefined, now = Date.now()): string {
  if (!startMs) return "—";
  const seconds = Math.max(0, Math.round(((endMs || now) - startMs) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

// The short form of a git commit, as every code host shows it.
export function shortCommit(commit: string | undefined): string {
  return commit ? commit.slice(0, 7) : "";
}
