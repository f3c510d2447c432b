import { availableParallelism } from 'node:os';

// bcrypt (and crypto, fs, dns) run on libuv's thread pool, 4 threads by default: give it at least one thread per
// core. Node reads the variable when the pool first starts, so main.ts imports this module before anything else.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.max(4, availableParallelism()));
