import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal, RequiresPermission, toUserDto, UserDto } from '@careid/identity';
import { ApiProblems, UuidPipe } from '@careid/shared';
import { PatientInvitationsService } from '../application/patient-invitations.service';
import { InvitePatientDto } from './dto/invitation.dto';

@ApiTags('invitations')
@ApiBearerAuth('bearer')
@Controller('api/v1/patients')
export class PatientInvitationController {
  constructor(private readonly invitations: PatientInvitationsService) {}

  @Post(':id/invite')
  @RequiresPermission('Patient', 'update')
  @ApiOperation({
    summary: "Invite an existing patient to become a user (iCure's createAndInviteUser)",
    description:
      "By a practitioner with a delegation on the patient. Creates the patient's user (login = email, else mobile; REGISTERING), a short-lived token, and a message carrying `Login:` and `Token:` lines sent by email or SMS with the practitioner's address as reply-to. " +
      'A patient whose REGISTERING user has an expired or revoked invitation is invited again with that user (a new token, the older ones revoked, a new message); ' +
      'one with a pending invitation → 400 `PATIENT_ALREADY_HAS_USER` (resend it).',
  })
  @ApiCreatedResponse({ type: UserDto })
  @ApiProblems(400, 401, 403, 404)
  async invite(@Param('id', UuidPipe) id: string, @Body() body: InvitePatientDto, @CurrentUser() actor: Principal): Promise<UserDto> {
    return toUserDto(await this.invitations.inviteExistingPatient(id, body, actor));
  }
}
