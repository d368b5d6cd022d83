import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import type { ScheduleRule } from '../../shared/schedule-types';

/**
 * Every schedule of the connected engine, shared by Settings, the workload view and the sidebar.
 * Runs happen in the background (no event tells the renderer), so the list is polled twice per
 * scheduler tick and refreshed whenever the window regains focus.
 */
export function useSchedules() {
  const client = useClient();
  return useQuery({
    queryKey: queryKeys.schedules,
    queryFn: () => client.listSchedules({}),
    refetchInterval: 30_000,
  });
}

/** Sets (or with `rule: null` removes) a workload's schedule, then refreshes every list of them. */
export function useSetSchedule() {
  const client = useClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { workload: string; rule: ScheduleRule | null }) => client.setSchedule(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.schedules }),
  });
}
