import { port, type PortSpec } from '../runtime/port.ts';
import type { Departure, ExternalIdentity, PresenceEvent, RoomCommand, RoomListing, SessionEnd, UserQuery } from './membership.ts';
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

export const presencePort = (description: string): PortSpec<PresenceEvent> => port<PresenceEvent>('presence', description);

export const departurePort = (description: string): PortSpec<Departure> => port<Departure>('departure', description);

export const listingPort = (description: string): PortSpec<RoomListing> => port<RoomListing>('listing', description);

export const userQueryPort = (description: string): PortSpec<UserQuery> => port<UserQuery>('user-query', description);

export const sessionEndPort = (description: string): PortSpec<SessionEnd> => port<SessionEnd>('session-end', description);

export const roomCommandPort = (description: string): PortSpec<RoomCommand> => port<RoomCommand>('room-command', description);

export const roomNamePort = (description: string): PortSpec<string> => port<string>('room-name', description);

export const identityPort = (description: string): PortSpec<ExternalIdentity> => port<ExternalIdentity>('external-identity', description);
