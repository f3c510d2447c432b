import type { OutgoingHttpHeaders } from 'node:http';
import { Body, Controller, Get, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerSession, CurrentSession, CurrentUser, Principal, SelfOnly } from '@careid/identity';
import { ApiProblems, DEFAULT_PAGE_SIZE, UuidPipe } from '@careid/shared';
import { NotificationStream } from '../application/notification-stream';
import { NotificationsService } from '../application/notifications.service';
import { NotificationDto, NotificationListDto, NotificationQueryDto, NotificationStatusDto } from './dto/notification.dto';

const HEARTBEAT_MS = 15_000;

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

  @Get('stream')
  @ApiOperation({
    summary: 'Server-Sent Events: one `notification` event per new notification for the caller',
    description:
      "The caller's own notifications, as the list shows them. " +
      'Works across API instances (PostgreSQL LISTEN/NOTIFY). A comment line is sent every 15 s to keep the connection open. ' +
      'The server closes the stream when the session it was opened with ends (logout, password changed or reset, 2FA changed, roles changed, user disabled or deleted) and when the access token it was opened with expires: reconnect with a fresh one.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: "An endless event stream; each event's data is a notification as JSON", schema: { type: 'string' } })
  open(
    @CurrentUser() actor: Principal,
    @CurrentSession() session: CallerSession,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
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
    raw.write(': connected\n\n');
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const unsubscribe = this.stream.subscribe(
      actor,
      session,
      (notification) => raw.write(`id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`),
      () => {
        clearInterval(heartbeat);
        raw.end();
      },
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
