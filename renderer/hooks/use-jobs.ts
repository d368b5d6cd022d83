import { useQuery } from '@tanstack/react-query';
import { useClient } from '../client/client-context';
import { queryKeys } from '../client/query-keys';
import type { Job } from '../../shared/types';

/** Recent jobs of every process, kept live by `useLiveUpdates`. */
export function useJobs() {
  const client = useClient();
  return useQuery({ queryKey: queryKeys.jobs, queryFn: () => client.listJobs({}) });
}

/** One job by id (undefined until it is known). */
export function useJob(jobId: string | null): Job | undefined {
  const { data } = useJobs();
  return jobId ? data?.find((job) => job.id === jobId) : undefined;
}
