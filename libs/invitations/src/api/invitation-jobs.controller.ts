import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Principal, RequiresPermission } from '@careid/identity';
import { ApiProblems, DEFAULT_PAGE_SIZE, PageQueryDto, UuidPipe } from '@careid/shared';
import { InvitationJobsService } from '../application/invitation-jobs.service';
import { BulkInvitePatientsDto, InvitationJobDto, InvitationJobListDto, InvitationJobStartedDto } from './dto/invitation-job.dto';

const JOBS_PATH = '/api/v1/invitation-jobs';

@ApiTags('invitations')
@ApiBearerAuth('bearer')
@Controller('api/v1/patients/invite')
export class BulkInvitationController {
  constructor(private readonly jobs: InvitationJobsService) {}

  @Post()
  @HttpCode(202)
  @RequiresPermission('Patient', 'update')
  @ApiOperation({
    summary: 'Invite many existing patients at once (a job)',
    description:
      'Checks what does not depend on the patient (loginUrl, message, token validity, the inviting practitioner), then answers 202 with the job; each patient is then invited as by POST /patients/{id}/invite, with the same preconditions, a patient that fails one being skipped with its code (a patient you cannot read: `PATIENT_NOT_FOUND`). Follow the job at `Location`.',
  })
  @ApiAcceptedResponse({ type: InvitationJobStartedDto })
  @ApiHeader({ name: 'Location', description: 'The job: /api/v1/invitation-jobs/{id}' })
  @ApiProblems(400, 401, 403)
  async start(
    @Body() body: BulkInvitePatientsDto,
    @CurrentUser() actor: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InvitationJobStartedDto> {
    const job = await this.jobs.start(body, actor);
    void reply.header('location', `${JOBS_PATH}/${job.id}`);
    return job;
  }
}

@ApiTags('invitations')
@ApiBearerAuth('bearer')
@Controller(JOBS_PATH.slice(1))
export class InvitationJobsController {
  constructor(private readonly jobs: InvitationJobsService) {}

  @Get()
  @RequiresPermission('Patient', 'update')
  @ApiOperation({ summary: 'Your bulk invitation jobs, newest first (an admin: every job)' })
  @ApiOkResponse({ type: InvitationJobListDto })
  @ApiProblems(400, 401, 403)
  list(@Query() query: PageQueryDto, @CurrentUser() actor: Principal): Promise<InvitationJobListDto> {
    return this.jobs.list(actor, { limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor });
  }

  @Get(':id')
  @RequiresPermission('Patient', 'update')
  @ApiOperation({ summary: 'A bulk invitation job: its progress and the patients it skipped, with why' })
  @ApiOkResponse({ type: InvitationJobDto })
  @ApiProblems(400, 401, 403, 404)
  get(@Param('id', UuidPipe) id: string, @CurrentUser() actor: Principal): Promise<InvitationJobDto> {
    return this.jobs.get(id, actor);
  }
}
