/** "in 3d 4h" / "OVERDUE 1d 2h": how long until (or since) a deadline, for boards and digests. */
export function countdown(due: Date | null, now: Date): string {
  if (!due) return 'no clock';
  const ms = due.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const text = abs >= 86_400_000 ? `${Math.floor(abs / 86_400_000)}d ${Math.floor((abs % 86_400_000) / 3_600_000)}h`
    : `${Math.floor(abs / 3_600_000)}h ${Math.floor((abs % 3_600_000) / 60_000)}m`;
  return ms < 0 ? `OVERDUE ${text}` : `in ${text}`;
}
