import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import { InvitePatientDto } from './invitation.dto';

export const MAX_PATIENTS_PER_JOB = 10_000;

/** POST /patients/invite: the single invite's options, for many patients. */
export class BulkInvitePatientsDto extends InvitePatientDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    minItems: 1,
    maxItems: MAX_PATIENTS_PER_JOB,
    example: ['b351faef-d81d-4a33-81a9-2e31bd54807e'],
    description: 'The patients to invite (1 to 10,000; one named twice is invited once), each as by POST /patients/{id}/invite',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PATIENTS_PER_JOB)
  @IsUUID('4', { each: true })
  patientIds!: string[];
}

export class SkippedPatientDto {
  @ApiProperty({ format: 'uuid', example: 'b351faef-d81d-4a33-81a9-2e31bd54807e' }) patientId!: string;
  @ApiProperty({
    example: 'PATIENT_HAS_NO_EMAIL',
    description:
      'The code the single invite would have answered with (`PATIENT_NOT_FOUND` for a patient you cannot read), `INVITER_UNAVAILABLE` when your user was disabled or deleted while the job ran, or `INVITATION_FAILED`',
  })
  code!: string;
}

export class InvitationJobStartedDto {
  @ApiProperty({ format: 'uuid', example: '5f0b1c55-8f7e-4b7e-9a8e-2b8f0f6d3c11' }) id!: string;
  @ApiProperty({ enum: ['RUNNING'], example: 'RUNNING' }) status!: 'RUNNING';
}

/** A job in a list: its progress without the skipped patients. */
export class InvitationJobSummaryDto {
  @ApiProperty({ format: 'uuid', example: '5f0b1c55-8f7e-4b7e-9a8e-2b8f0f6d3c11' }) id!: string;
  @ApiProperty({ enum: ['RUNNING', 'DONE'], example: 'RUNNING' }) status!: 'RUNNING' | 'DONE';
  @ApiProperty({ example: 120, description: 'Patients in the job' }) total!: number;
  @ApiProperty({ example: 80, description: 'Patients invited so far' }) invited!: number;
  @ApiProperty({ example: 2, description: 'Patients skipped so far' }) skippedCount!: number;
  @ApiProperty({ example: 1700058624896 }) created!: number;
  @ApiProperty({ example: 1700058626012, description: 'Last progress' }) modified!: number;
  @ApiProperty({ nullable: true, type: Number, example: null, description: 'When the last patient was done' }) finished!: number | null;
}

export class InvitationJobDto extends InvitationJobSummaryDto {
  @ApiProperty({ type: [SkippedPatientDto], description: 'The patients skipped so far and why, in the order given' })
  skipped!: SkippedPatientDto[];
}

export class InvitationJobListDto {
  @ApiProperty({ type: [InvitationJobSummaryDto] }) rows!: InvitationJobSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page', example: null })
  nextCursor!: string | null;
}
