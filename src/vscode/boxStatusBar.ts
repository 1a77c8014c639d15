import * as vscode from 'vscode';
import type { BoxService } from './boxes';
import { boxStatusBarText } from './boxPresentation';

/** A status-bar hint while an EC2 box of the workspace is not running; a click starts it. */
export class BoxStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  /** Whether the hint is shown now. */
  visible = false;
  private readonly sub: vscode.Disposable;

  constructor(boxes: BoxService) {
    this.item = vscode.window.createStatusBarItem('cloudJobs.box', vscode.StatusBarAlignment.Left, 99);
    this.item.name = 'Cloud Jobs: EC2 box';
    this.sub = boxes.onDidChange(() => this.draw(boxes));
    this.draw(boxes);
  }

  private draw(boxes: BoxService): void {
    const look = boxStatusBarText(boxes.all);
    this.visible = look !== undefined;
    if (!look) {
      this.item.hide();
      return;
    }
    this.item.text = look.text;
    this.item.tooltip = look.tooltip;
    this.item.command = look.startable ? { command: 'cloudJobs.startBox', title: 'Start Box', arguments: [look.host] } : undefined;
    this.item.show();
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
