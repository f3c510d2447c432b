import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { IsInt, IsString, MaxLength, Min } from 'class-validator';
import { Public } from '@careid/identity';

class ProbeBody {
  @IsString()
  @MaxLength(20)
  name!: string;

  @IsInt()
  @Min(0)
  count!: number;
}

/** Test-only routes that exercise the error path of the real HTTP stack. */
@Public()
@Controller('test-probe')
class ProbeController {
  @Get('boom')
  boom(): never {
    throw new Error('select password_hash from users -- internal detail that must not leak');
  }

  @Post('echo')
  echo(@Body() body: ProbeBody): ProbeBody {
    return body;
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
