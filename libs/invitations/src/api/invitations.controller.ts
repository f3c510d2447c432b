import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AcceptTicketDto, AdminOnly, CurrentUser, Principal, Public, RequiresPermission, TicketDto } from '@careid/identity';
import { ApiProblems, DEFAULT_PAGE_SIZE, UuidPipe } from '@careid/shared';
import { InvitationAcceptance } from '../application/invitation-acceptance.service';
import { InvitationsService } from '../application/invitations.service';
import { ProfileInvitationsService } from '../application/profile-invitations.service';
import {
  AcceptedInvitationDto,
  CreateInvitationDto,
  InvitationDto,
  InvitationListDto,
  InvitationQueryDto,
  TicketInspectionDto,
} from './dto/invitation.dto';

@ApiTags('invitations')
@Controller('api/v1/invitations')
export class InvitationsController {
  constructor(
    private readonly profileInvitations: ProfileInvitationsService,
    private readonly invitations: InvitationsService,
    private readonly acceptance: InvitationAcceptance,
  ) {}

  @Post()
  @AdminOnly()
  @RequiresPermission('User', 'create')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    summary: 'Invite a person to become a practitioner or patient user (admin)',
    description:
      'Creates the profile when no `resource.id` is given, the user (login = email, REGISTERING) and a one-time ticket. `invitationUrl` carries the ticket in its fragment; with `sendEmail` it is also mailed. ' +
      'An email whose REGISTERING user has an expired or revoked profile invitation is invited again with that user (a new invitation, the older tickets revoked); ' +
      'one with a pending invitation → 409 `INVITATION_PENDING` (resend it), an ACTIVE user → 409 `EMAIL_ALREADY_REGISTERED`.',
  })
  @ApiCreatedResponse({ type: InvitationDto })
  @ApiProblems(400, 401, 403, 404, 409)
  create(@Body() body: CreateInvitationDto, @CurrentUser() actor: Principal): Promise<InvitationDto> {
    return this.profileInvitations.inviteProfile(body, actor);
  }

  @Get()
  @RequiresPermission('Patient', 'read')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    summary: 'List invitations, newest first, with their delivery state (admin: all; practitioner: the patient invitations it sent)',
    description: 'An invitation past its expiry is EXPIRED (stored within 60 s, and read so at once). Other users → 403.',
  })
  @ApiOkResponse({ type: InvitationListDto })
  @ApiProblems(400, 401, 403)
  list(@Query() query: InvitationQueryDto, @CurrentUser() actor: Principal): Promise<InvitationListDto> {
    return this.invitations.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE }, actor);
  }

  @Get(':id')
  @RequiresPermission('Patient', 'read')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    summary: 'Get an invitation and its delivery state (admin; practitioner: a patient invitation it sent)',
    description: "Another practitioner's invitation → 404, as if it did not exist.",
  })
  @ApiOkResponse({ type: InvitationDto })
  @ApiProblems(400, 401, 403, 404)
  get(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<InvitationDto> {
    return this.invitations.get(id, actor);
  }

  @Post(':id/resend')
  @RequiresPermission('Patient', 'update')
  @ApiBearerAuth('bearer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a pending or expired invitation again (admin; practitioner: a patient invitation it sent)',
    description:
      'A new ticket (`invitationUrl`, profile) or a new token in a new message (patient); the older ones stop working and the invitation is PENDING for its lifetime again. ' +
      "Only the user's latest invitation, while the user is REGISTERING (409 `INVITATION_NOT_PENDING` otherwise).",
  })
  @ApiOkResponse({ type: InvitationDto })
  @ApiProblems(400, 401, 403, 404, 409)
  resend(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<InvitationDto> {
    return this.invitations.resend(id, actor);
  }

  @Delete(':id')
  @RequiresPermission('Patient', 'update')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    summary: 'Revoke a pending or expired invitation (admin; practitioner: a patient invitation it sent)',
    description:
      'Its ticket or token stops working: the REGISTERING user can then be activated by no path, until it is invited again (which renews the invitation).',
  })
  @ApiOkResponse({ type: InvitationDto })
  @ApiProblems(400, 401, 403, 404, 409)
  revoke(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<InvitationDto> {
    return this.invitations.revoke(id, actor);
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
  @ApiOperation({
    summary: 'Accept an invitation: set the password with the ticket (used once); returns a session',
    description: 'With `redirectUrl` when the invitation leads somewhere (its `redirectUrl`, or its application).',
  })
  @ApiOkResponse({ type: AcceptedInvitationDto })
  @ApiProblems(400, 410, 429)
  accept(@Body() body: AcceptTicketDto): Promise<AcceptedInvitationDto> {
    return this.acceptance.accept(body.ticket, body.password);
  }
}
