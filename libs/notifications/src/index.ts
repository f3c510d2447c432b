export * from './notifications.module';
export * from './application/notifications.service';
export * from './domain/notification';
export * from './domain/delegate-directory';
export { notificationsPersistence } from './infrastructure/notifications.persistence';
export * from './domain/notifications.errors';
