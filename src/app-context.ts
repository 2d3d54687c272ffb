import { componentFor } from './runtime/component.ts';
import type { NetworkDescription } from './runtime/network.ts';
import type { Settings } from './settings.ts';

/**
 * AppContext is what the chat application shares with every process of its
 * graph: the checked settings and a read-only view of the running network.
 */
export interface AppContext {
  readonly settings: Settings;
  describeNetwork(): NetworkDescription;
}

/** defineChatComponent declares a component of the chat graph. */
export const defineChatComponent = componentFor<AppContext>();
