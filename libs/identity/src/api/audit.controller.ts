import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPage, ApiProblems, DEFAULT_PAGE_SIZE, Page } from '@careid/shared';
import { AuditTrail } from '../application/audit-trail';
import { AdminOnly } from './current-user.decorator';
import { RequiresPermission } from './permission.decorator';
import { AuditEventDto, AuditQueryDto } from './dto/audit.dto';

@ApiTags('audit')
@ApiBearerAuth('bearer')
@Controller('api/v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  @AdminOnly()
  // The trail is what users did: reading it is reading about users.
  @RequiresPermission('User', 'read')
  @ApiOperation({ summary: 'The append-only audit trail, newest first (admin)' })
  @ApiPage(AuditEventDto)
  @ApiProblems(400, 401, 403)
  list(@Query() query: AuditQueryDto): Promise<Page<AuditEventDto>> {
    return this.audit.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
  }
}
