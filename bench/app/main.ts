/**
 * The API as the bench runs it: the production entry (apps/api/src/main.ts)
 * plus one unauthenticated route, `GET /api/v1/bench-unguarded/users/:id`,
 * that the guard-overhead scenario compares the guarded route with. Built
 * with the app's own compiler and options (`npm run bench:build`); the
 * product never contains this route.
 */
// First: sizes libuv's thread pool before anything uses it.
import '../../apps/api/src/thread-pool';
import '../../apps/api/src/tracing';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { serve } from '../../apps/api/src/serve';
import { UnguardedUsersBenchModule } from './unguarded-users.module';

new Logger('Bench').warn('GET /api/v1/bench-unguarded/users/:id answers without authentication (bench/app only)');
serve({ extraModules: [UnguardedUsersBenchModule] });
