/**
 * The total a capture's progress is measured against: the volumes' live size as the Engine reports
 * it, else the caller's estimate. The Engine's answer (GET /system/df) walks every volume it has:
 * 0.75 s beside three 700 MB volumes, up to volumeUsage's 2 s deadline. A live capture streams
 * meanwhile, and its progress waits for the figure: only the latest report is held, so no report
 * ever names a total it was not measured against.
 */
export class ProgressTotal {
  /** Undefined while the Engine is asked. */
  private total: number | null | undefined;
  private held: (() => void) | undefined;
  private closed = false;
  /** Settles once the total is known (the Engine's figure or the estimate); never rejects. */
  readonly known: Promise<void>;

  constructor(live: Promise<number | null>, estimate: () => number | null) {
    this.known = live
      .catch(() => null)
      .then((bytes) => {
        this.total = bytes ?? estimate();
        const held = this.held;
        this.held = undefined;
        held?.();
      });
  }

  /** Calls `emit` with the total now, or once it is known if this is still the latest report then. */
  report(emit: (total: number | null) => void): void {
    if (this.closed) return;
    if (this.total !== undefined) emit(this.total);
    else this.held = () => emit(this.total ?? null);
  }

  /** The capture ended (or failed): a report still held would come after it. */
  close(): void {
    this.closed = true;
    this.held = undefined;
  }
}
