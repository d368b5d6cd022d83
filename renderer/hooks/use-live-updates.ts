import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { queryKeys } from '../client/query-keys';
import { useClient } from '../client/client-context';
import type { Job, JobProgress } from '../../shared/types';

/**
 * Keeps react-query in step with main's events: progress patches the cached jobs list in place;
 * coarse `*-changed` events invalidate what they touch.
 */
export function useLiveUpdates(): void {
  const client = useClient();
  const queryClient = useQueryClient();
  useEffect(() => {
    const stops = [
      client.on('jobs:progress', (progress) => patchProgress(queryClient, progress)),
      client.on('jobs:changed', (job) => {
        upsertJob(queryClient, job);
        void queryClient.invalidateQueries({ queryKey: queryKeys.jobs });
        if (job.status !== 'running') {
          void queryClient.invalidateQueries({ queryKey: queryKeys.snapshotsAll });
          void queryClient.invalidateQueries({ queryKey: queryKeys.workloads });
        }
      }),
      client.on('snapshots:list-changed', () => {
        void queryClient.invalidateQueries({ queryKey: queryKeys.snapshotsAll });
        void queryClient.invalidateQueries({ queryKey: queryKeys.workloads });
      }),
      client.on('workloads:list-changed', () => {
        void queryClient.invalidateQueries({ queryKey: queryKeys.workloads });
        void queryClient.invalidateQueries({ queryKey: queryKeys.engine });
      }),
    ];
    return () => stops.forEach((stop) => stop());
  }, [client, queryClient]);
}

function patchProgress(queryClient: QueryClient, progress: JobProgress): void {
  queryClient.setQueryData<Job[]>(queryKeys.jobs, (jobs) =>
    jobs?.map((job) => (job.id === progress.jobId ? { ...job, phase: progress.phase, progress } : job)),
  );
}

function upsertJob(queryClient: QueryClient, job: Job): void {
  queryClient.setQueryData<Job[]>(queryKeys.jobs, (jobs) => {
    if (!jobs) return jobs;
    const known = jobs.some((j) => j.id === job.id);
    // A finished job keeps the last progress we saw, so its bar ends where it stopped.
    return known
      ? jobs.map((j) => (j.id === job.id ? { ...job, progress: job.progress ?? j.progress } : j))
      : [job, ...jobs];
  });
}
