import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';

/** What an empty place says: what it is, and what to do next (often with the button that does it). */
export function EmptyState({ icon: Icon, title, children }: { icon: LucideIcon; title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <Icon aria-hidden size={28} />
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}
