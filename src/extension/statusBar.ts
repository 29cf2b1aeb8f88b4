/** Status bar item: today's refusal count; clicking it reveals the Refusals view. */
import type * as vscode from 'vscode';
import { everyMidnight, type RefusalStore } from './store';
import { FOCUS_REFUSALS_VIEW } from './commands/ids';
import { createStatusBarItem } from './vscodeapi';

export class RefusalStatusBar {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: vscode.Disposable;
  /** "Today" ends at midnight whether or not a refusal comes: the count starts over then. */
  private readonly midnight: { dispose(): void };

  constructor(private readonly store: RefusalStore, private readonly now: () => Date = () => new Date()) {
    this.item = createStatusBarItem('aupBisect.status', 100);
    this.item.name = 'AUP Bisect';
    this.item.command = FOCUS_REFUSALS_VIEW;
    this.subscription = store.onDidChange(() => this.update());
    this.midnight = everyMidnight(() => this.update(), now);
    this.update();
  }

  update(): void {
    const today = this.store.countOn(this.now());
    this.item.text = `$(shield) ${today}`;
    this.item.tooltip = `AUP Bisect: ${today} Claude Code refusal${today === 1 ? '' : 's'} today. Click to list them.`;
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.subscription.dispose();
    this.midnight.dispose();
    this.item.dispose();
  }
}
