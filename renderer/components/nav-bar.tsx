import { useJobs } from '../hooks/use-jobs';

export type Screen = 'workloads' | 'jobs' | 'settings';

const SCREENS: { screen: Screen; label: string }[] = [
  { screen: 'workloads', label: 'Workloads' },
  { screen: 'jobs', label: 'Jobs' },
  { screen: 'settings', label: 'Settings' },
];

/** The main navigation; Jobs shows how many jobs run right now. */
export function NavBar({ current, onNavigate }: { current: Screen; onNavigate: (screen: Screen) => void }) {
  const running = useJobs().data?.filter((j) => j.status === 'running').length ?? 0;
  return (
    <nav aria-label="Main" className="nav">
      <span className="brand">Volsnap</span>
      {SCREENS.map(({ screen, label }) => (
        <button
          key={screen}
          type="button"
          aria-current={current === screen ? 'page' : undefined}
          onClick={() => onNavigate(screen)}
        >
          {label}
          {screen === 'jobs' && running > 0 && <span className="count"> ({running} running)</span>}
        </button>
      ))}
    </nav>
  );
}
