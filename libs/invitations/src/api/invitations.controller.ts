import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AcceptTicketDto, AdminOnly, CurrentUser, Principal, Public, RequiresPermission, TicketDto, TokenPairDto } from '@careid/identity';
import { ApiProblems, DEFAULT_PAGE_SIZE, UuidPipe } from '@careid/shared';
import { InvitationAcceptance } from '../application/invitation-acceptance.service';
import { ProfileInvitationsService } from '../application/profile-invitations.service';
import { CreateInvitationDto, InvitationDto, InvitationListDto, InvitationQueryDto, TicketInspectionDto } from './dto/invitation.dto';

@ApiTags('invitations')
@Controller('api/v1/invitations')
export class InvitationsController {
  constructor(
    private readonly invitations: ProfileInvitationsService,
    private readonly acceptance: InvitationAcceptance,
  ) {}

  @Post()
  @AdminOnly()
  @RequiresPermission('User', 'create')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    summary: 'Invite a person to become a practitioner or patient user (admin)',
    description:
      'Creates the profile when no `resource.id` is given, the user (login = email, REGISTERING) and a one-time ticket. `invitationUrl` carries the ticket in its fragment; with `sendEmail` it is also mailed.',
  })
  @ApiCreatedResponse({ type: InvitationDto })
  @ApiProblems(400, 401, 403, 409)
  create(@Body() body: CreateInvitationDto, @CurrentUser() actor: Principal): Promise<InvitationDto> {
    return this.invitations.inviteProfile(body, actor);
  }

  @Get()
  @AdminOnly()
  @RequiresPermission('User', 'read')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'List invitations, newest first, with their delivery state (admin)' })
  @ApiOkResponse({ type: InvitationListDto })
  @ApiProblems(400, 401, 403)
  list(@Query() query: InvitationQueryDto): Promise<InvitationListDto> {
    return this.invitations.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }

  @Get(':id')
  @AdminOnly()
  @RequiresPermission('User', 'read')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Get an invitation and its delivery state (admin)' })
  @ApiOkResponse({ type: InvitationDto })
  @ApiProblems(400, 401, 403, 404)
  get(@Param('id', UuidPipe) id: string): Promise<InvitationDto> {
    return this.invitations.get(id);
  }

  @Post(':id/resend')
  @AdminOnly()
  @RequiresPermission('User', 'update')
  @ApiBearerAuth('bearer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give a pending invitation a new ticket (the old one stops working) and send it again (admin)' })
  @ApiOkResponse({ type: InvitationDto })
  @ApiProblems(400, 401, 403, 404, 409)
  resend(@Param('id', UuidPipe) id: string): Promise<InvitationDto> {
    return this.invitations.resend(id);
  }

  @Delete(':id')
  @AdminOnly()
  @RequiresPermission('User', 'update')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Revoke a pending invitation (admin)' })
  @ApiOkResponse({ type: InvitationDto })
  @ApiProblems(400, 401, 403, 404, 409)
  revoke(@Param('id', UuidPipe) id: string): Promise<InvitationDto> {
    return this.invitations.revoke(id);
  }

  @Post('inspect')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Whether a ticket can be used, and for whom (used by the set-password page)' })
  @ApiOkResponse({ type: TicketInspectionDto })
  @ApiProblems(400)
  inspect(@Body() body: TicketDto): Promise<TicketInspectionDto> {
    return this.acceptance.inspectTicket(body.ticket);
  }

  @Post('accept')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation: set the password with the ticket (used once); returns a session' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblems(400, 410, 429)
  accept(@Body() body: AcceptTicketDto): Promise<TokenPairDto> {
    return this.acceptance.accept(body.ticket, body.password);
  }
}
