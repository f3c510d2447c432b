import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'careid:public';

/** Opts a route (or controller) out of AccessGuard: no token, role or permission is asked for. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
