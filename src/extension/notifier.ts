/**
 * The notification shown for each new refusal, with its four actions. Muting lasts for this window's session only.
 */
import type { Event } from 'vscode';
import { Commands } from './commands/ids';
import { runCommand } from './commands/run';
import type { NotificationLevel } from './settings';
import { messageOf, type SeenRefusal } from './store';
import { EventEmitter, showWarningMessage } from './vscodeapi';

export const ACTIONS = {
  bisect: 'Bisect Trigger',
  details: 'Show Details',
  draft: 'Draft Issue',
  mute: 'Mute for This Session',
} as const;

export interface Notified {
  key: string;
  text: string;
}

/** One line: what refused and the start of what the user saw. */
export function notificationText(refusal: SeenRefusal): string {
  const model = refusal.record?.models.at(-1)?.model ?? refusal.terminal?.model;
  const category = refusal.record?.models.find((m) => m.category)?.category ?? refusal.terminal?.category;
  const what = [model, category ? `category ${category}` : undefined].filter(Boolean).join(', ');
  const message = messageOf(refusal).replace(/\s+/g, ' ').trim();
  const short = message.length > 160 ? `${message.slice(0, 157)}...` : message;
  const where = refusal.record ? '' : refusal.terminal ? ` in terminal "${refusal.terminal.terminalName}"` : '';
  return `Claude Code refusal${what ? ` (${what})` : ''}${where}: ${short}`;
}

export class Notifier {
  private muted = false;
  private readonly notified = new EventEmitter<Notified>();
  /** Fires when a notification is shown (the integration tests and the status bar listen). */
  readonly onDidNotify: Event<Notified> = this.notified.event;

  constructor(private readonly level: () => NotificationLevel) {}

  get isMuted(): boolean {
    return this.muted;
  }

  notify(refusal: SeenRefusal): void {
    if (this.muted || this.level() !== 'notify') return;
    const text = notificationText(refusal);
    this.notified.fire({ key: refusal.key, text });
    // Not awaited: the notification stays up while detection goes on.
    void showWarningMessage(text, ACTIONS.bisect, ACTIONS.details, ACTIONS.draft, ACTIONS.mute).then((choice) => {
      switch (choice) {
        case ACTIONS.bisect:
          return void runCommand(Commands.bisectRefusal, { refusalKey: refusal.key });
        case ACTIONS.details:
          return void runCommand(Commands.showDetails, { refusalKey: refusal.key });
        case ACTIONS.draft:
          return void runCommand(Commands.draftIssue, { refusalKey: refusal.key });
        case ACTIONS.mute:
          this.muted = true;
          return undefined;
        default:
          return undefined;
      }
    });
  }

  dispose(): void {
    this.notified.dispose();
  }
}
