// First: sizes libuv's thread pool before anything uses it.
import './thread-pool';
import 'reflect-metadata';
import { serve } from './serve';

serve();
