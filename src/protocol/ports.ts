import { port, type PortSpec } from '../runtime/port.ts';
import type { HttpRequest, PollCommand, PostCommand, Reply } from './packets.ts';

/** Port declarations for the chat's packet kinds; the datatype names are what graph.json checks. */

export const requestPort = (description: string, required = false): PortSpec<HttpRequest> =>
  port<HttpRequest>('request', description, { required });

export const replyPort = (description: string, required = false): PortSpec<Reply> =>
  port<Reply>('reply', description, { required });

export const pollPort = (description: string, required = false): PortSpec<PollCommand> =>
  port<PollCommand>('poll', description, { required });

export const postPort = (description: string, required = false): PortSpec<PostCommand> =>
  port<PostCommand>('post', description, { required });
