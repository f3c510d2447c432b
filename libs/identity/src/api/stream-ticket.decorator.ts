import { SetMetadata } from '@nestjs/common';

export const ACCEPTS_STREAM_TICKET = 'careid:accepts-stream-ticket';

/**
 * The route also takes a one-time `?ticket=` (POST /notifications/stream-ticket) in place of the Authorization
 * header, for a browser's EventSource. AccessGuard uses the ticket when no header is sent, then checks the session it
 * belongs to as for a token. The route still declares its access (`@SelfOnly()` and the like).
 */
export const AcceptsStreamTicket = () => SetMetadata(ACCEPTS_STREAM_TICKET, true);
