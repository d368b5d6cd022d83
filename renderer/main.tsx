import { createRoot } from 'react-dom/client';

// Placeholder until the UI issue lands: proves the renderer builds and mounts.
createRoot(document.getElementById('root')!).render(<h1>Volsnap</h1>);
