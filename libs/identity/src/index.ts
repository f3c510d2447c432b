export * from './api/public.decorator';
