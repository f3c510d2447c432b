import type { OutgoingHttpHeaders } from 'node:http';
import { Body, Controller, Get, Header, Headers, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AcceptsStreamTicket, CallerSession, Credentials, CurrentSession, CurrentUser, Principal, SelfOnly } from '@careid/identity';
import { ApiProblems, DEFAULT_PAGE_SIZE, UuidPipe } from '@careid/shared';
import { REPLAY_LIMIT, NotificationStream } from '../application/notification-stream';
import { NotificationsService } from '../application/notifications.service';
import { resumePoint } from '../domain/notification';
import {
  NotificationDto,
  NotificationListDto,
  NotificationQueryDto,
  NotificationStatusDto,
  NotificationStreamQueryDto,
  StreamTicketDto,
} from './dto/notification.dto';

const HEARTBEAT_MS = 15_000;
/** How long an EventSource waits before it reconnects (`retry:`). */
const RECONNECT_MS = 3_000;

@ApiTags('notifications')
@ApiBearerAuth('bearer')
@ApiProblems(401)
// The caller's own notifications (an admin may also read and move one by id): no resource of an access policy.
@SelfOnly()
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly stream: NotificationStream,
    private readonly credentials: Credentials,
  ) {}

  @Get()
  @ApiOperation({
    summary: "The caller's notifications, newest first (iCure's getPendingNotificationsAfter)",
    description:
      'Those addressed to the data owner the caller stands for (a practitioner user: its practitioner); none for a user without one, ' +
      'admins included. `after` (epoch ms) is optional.',
  })
  @ApiOkResponse({ type: NotificationListDto })
  @ApiProblems(400)
  list(@Query() query: NotificationQueryDto, @CurrentUser() actor: Principal): Promise<NotificationListDto> {
    return this.notifications.list(actor, { ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Post('stream-ticket')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'A one-time ticket that opens your notification stream without an Authorization header (for EventSource)',
    description:
      'Pass it as `GET /notifications/stream?ticket=…` within 30 s; it works once. The stream belongs to the session that asked ' +
      'for the ticket and ends when that session ends or when the access token that asked for it expires.',
  })
  @ApiCreatedResponse({ type: StreamTicketDto })
  streamTicket(@CurrentUser() actor: Principal, @CurrentSession() session: CallerSession): Promise<StreamTicketDto> {
    return this.credentials.issueStreamTicket(actor, session);
  }

  @Get('stream')
  @AcceptsStreamTicket()
  @ApiOperation({
    summary: 'Server-Sent Events: one `notification` event per new notification for the caller',
    description:
      "The caller's own notifications, as the list shows them. Authenticated by the bearer header, or by `?ticket=` " +
      '(POST /notifications/stream-ticket) for a browser’s EventSource. ' +
      `Each event has an \`id:\` (a sequence number); with \`Last-Event-ID\` (or \`?lastEventId=\`) the stream first sends the caller's notifications created after it, oldest first, at most ${REPLAY_LIMIT} (with more, it ends after them: reconnect to go on), then the live ones. ` +
      `It starts with \`retry: ${RECONNECT_MS}\`. ` +
      'Works across API instances (PostgreSQL LISTEN/NOTIFY). A comment line is sent every 15 s to keep the connection open. ' +
      'The server closes the stream when the session it was opened with ends (logout, password changed or reset, 2FA changed, roles changed, user disabled or deleted) and when the access token it was opened with expires: reconnect with a fresh one.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The id of the last event received: resume after it' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: "An endless event stream; each event's data is a notification as JSON", schema: { type: 'string' } })
  @ApiProblems(400)
  open(
    @Query() query: NotificationStreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentUser() actor: Principal,
    @CurrentSession() session: CallerSession,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    const afterSeq = resumePoint(lastEventId, query.lastEventId);
    // Headers set on the reply so far (CORS, request id) would be lost with the hijack: send them with ours.
    const headers = Object.fromEntries(
      Object.entries(reply.getHeaders()).filter(([, value]) => value !== undefined),
    ) as OutgoingHttpHeaders;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const unsubscribe = this.stream.subscribe(
      actor,
      session,
      {
        send: (seq, notification) => raw.write(`id: ${seq}\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`),
        end: () => {
          clearInterval(heartbeat);
          raw.end();
        },
      },
      afterSeq,
    );
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one of your notifications' })
  @ApiOkResponse({ type: NotificationDto })
  @ApiProblems(400, 404)
  get(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<NotificationDto> {
    return this.notifications.get(id, actor);
  }

  @Put(':id/status')
  @ApiOperation({
    summary: 'Move a notification along its workflow',
    description:
      'pending → ongoing → completed; pending|ongoing → cancelled; anything else is 409 INVALID_STATUS_TRANSITION. Only the recipient (or an admin).',
  })
  @ApiOkResponse({ type: NotificationDto })
  @ApiProblems(400, 404, 409)
  changeStatus(
    @Param('id', UuidPipe) id: string,
    @Body() body: NotificationStatusDto,
    @CurrentUser() actor: Principal,
  ): Promise<NotificationDto> {
    return this.notifications.changeStatus(id, body.status, actor, body.rev);
  }
}
