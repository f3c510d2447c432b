// First: sizes libuv's thread pool before anything uses it.
import './thread-pool';
// Second: starts tracing, when configured, before http, pg and fastify are loaded.
import './tracing';
import 'reflect-metadata';
import { serve } from './serve';

serve();
